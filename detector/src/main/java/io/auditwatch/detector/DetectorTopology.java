package io.auditwatch.detector;

import io.auditwatch.dedup.RequestDedup;
import io.auditwatch.event.AuditEvent;
import io.auditwatch.event.AuditEventReader;
import io.auditwatch.rules.TunedRules;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.UsePartitionTimeOnInvalidTimestamp;
import org.apache.kafka.streams.state.Stores;

/**
 * The detector as a pure function of its config. Production and tests both call {@link #build}.
 *
 * <pre>
 * audit.events ─► parse-events ─┬─ rejected ─► audit.dlq (reason and origin in headers)
 *                               └─ accepted ─► by-identity (repartition) ─► dedup-requests ─► evaluate-rules ─► auditwatch.alerts
 * auditwatch.rules ─► rules (global store: every instance applies every rule change to the engine it runs)
 * </pre>
 * Events are re-keyed by identity once, so a request's stages and retries meet in one task and per-identity
 * state is local.
 */
public final class DetectorTopology {
    public static final String REQUEST_DEDUP_STORE = "request-dedup";
    public static final String RULE_STATE_STORE = "rule-state";
    public static final String BY_IDENTITY = "by-identity";
    public static final String RULES_STORE = "rules";

    private DetectorTopology() {
    }

    public static Topology build(DetectorConfig config) {
        return build(config, TunedRules.defaults(config.requestMemory()), change -> { });
    }

    /** The topology with {@code rules} tuned live from auditwatch.rules; {@code onRuleChange} hears every outcome. */
    public static Topology build(DetectorConfig config, TunedRules rules, Consumer<TunedRules.Change> onRuleChange) {
        AuditEventReader reader = new AuditEventReader(config.maxEventBytes(), config.cluster());
        RequestDedup dedup = new RequestDedup(config.requestMemory());
        Serde<AuditEvent> events = AuditEventSerde.create(reader);

        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(ExpiringStores.builder(REQUEST_DEDUP_STORE));
        builder.addStateStore(ExpiringStores.builder(RULE_STATE_STORE));

        KStream<String, ParseOutcome> parsed = builder
                .stream(Topics.AUDIT_EVENTS, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray())
                        .withTimestampExtractor(new UsePartitionTimeOnInvalidTimestamp())
                        .withName("audit-events-source"))
                .process(() -> new ParseProcessor(reader), Named.as("parse-events"));

        parsed.split(Named.as("route-"))
                .branch((key, outcome) -> outcome.isRejected(), Branched.withConsumer(rejected -> rejected
                        .map((key, outcome) -> KeyValue.pair(outcome.originalKey(), outcome.rejection().raw()),
                                Named.as("dlq-record"))
                        .to(Topics.AUDIT_DLQ, Produced.with(Serdes.ByteArray(), Serdes.ByteArray())
                                .withName("dlq-sink")), "rejected"))
                .defaultBranch(Branched.withConsumer(accepted -> accepted
                        .mapValues(ParseOutcome::event, Named.as("parsed-event"))
                        .repartition(Repartitioned.<String, AuditEvent>as(BY_IDENTITY)
                                .withKeySerde(Serdes.String()).withValueSerde(events))
                        .processValues(() -> new DedupProcessor(dedup), Named.as("dedup-requests"), REQUEST_DEDUP_STORE)
                        .process(() -> new EngineProcessor(rules::engine), Named.as("evaluate-rules"), RULE_STATE_STORE)
                        .to(Topics.ALERTS, Produced.with(Serdes.String(), AlertSerde.create()).withName("alerts-sink")),
                        "accepted"));
        builder.addGlobalStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(RULES_STORE), Serdes.String(),
                        Serdes.String()).withLoggingDisabled(), Topics.RULES,
                Consumed.with(Serdes.String(), Serdes.String()).withName("apply-rules"),
                () -> new RulesUpdateProcessor(rules, onRuleChange));
        return builder.build();
    }
}
