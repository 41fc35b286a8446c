package io.auditwatch.detector;

import io.auditwatch.kafka.Topics;
import io.auditwatch.alert.Alert;
import io.auditwatch.engine.Analyses;
import io.auditwatch.event.AuditEvent;
import io.auditwatch.event.AuditEventReader;
import io.auditwatch.nodegraph.NodeGraph;
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
 *                               └─ accepted ─┬─► by-identity ─► dedup-requests ─┬─► evaluate-rules ─► auditwatch.alerts
 *                                            │                                  └─► token-sources ─► auditwatch.alerts
 *                                            └─► node-graph-events (+ auditwatch.inventory) ─► by-namespace ─► node-graph ─► auditwatch.alerts
 * auditwatch.rules ─► apply-rules (global store: every instance applies every rule change to the rules it runs)
 * </pre>
 * Events are re-keyed by identity once, so a request's stages and retries meet in one task and per-identity
 * state is local. The node graph needs another key: a pod and every object it references share a namespace,
 * so only the events it needs (pod lifecycle, node credentials touching namespaced objects) are re-keyed by
 * namespace, straight from the parser so that their order within an input partition is kept. Every record this
 * topology writes is stamped with when it was parsed, never with event time, which travels in the value: the
 * broker refuses a timestamp far ahead of its clock and retention deletes by timestamp, so an event dated next
 * year or last month must not decide whether its records are accepted or kept.
 */
public final class DetectorTopology {
    public static final String REQUEST_DEDUP_STORE = "request-dedup";
    public static final String RULE_STATE_STORE = "rule-state";
    public static final String NODE_GRAPH_STORE = "node-graph";
    public static final String TOKEN_SOURCES_STORE = "token-sources";
    public static final String BY_IDENTITY = "by-identity";
    public static final String BY_NAMESPACE = "by-namespace";
    public static final String RULES_STORE = "rules";

    private DetectorTopology() {
    }

    public static Topology build(DetectorConfig config) {
        return build(config, TunedRules.defaults(config.analysis().requestMemory()), change -> { });
    }

    /** The topology with {@code rules} tuned live from auditwatch.rules; {@code onRuleChange} hears every outcome. */
    public static Topology build(DetectorConfig config, TunedRules rules, Consumer<TunedRules.Change> onRuleChange) {
        AuditEventReader reader = config.reader();
        Analyses analyses = config.analyses(rules);
        Serde<AuditEvent> events = AuditEventSerde.create(reader);
        Produced<String, Alert> alerts = Produced.with(Serdes.String(), AlertSerde.create());

        StreamsBuilder builder = new StreamsBuilder();
        // Not changelogged: a record per event written twice (RocksDB and the changelog), for memory that only spares
        // work. Every analysis remembers per request what it alerted on or counted (changelogged), so a repeat that
        // passes dedup after a fail-over emptied it changes nothing.
        builder.addStateStore(ExpiringStores.unlogged(REQUEST_DEDUP_STORE));
        builder.addStateStore(ExpiringStores.builder(RULE_STATE_STORE));
        builder.addStateStore(ExpiringStores.builder(NODE_GRAPH_STORE));
        builder.addStateStore(ExpiringStores.builder(TOKEN_SOURCES_STORE));

        KStream<String, ParseOutcome> parsed = builder
                .stream(Topics.AUDIT_EVENTS, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray())
                        .withTimestampExtractor(new UsePartitionTimeOnInvalidTimestamp())
                        .withName("audit-events-source"))
                .process(() -> new ParseProcessor(reader), Named.as("parse-events"));

        // Pods that predate the audit stream, as create events at time zero (auditwatch snapshot writes them).
        KStream<String, AuditEvent> inventory = builder
                .stream(Topics.INVENTORY, Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("inventory-source"))
                .flatMapValues(value -> InventoryRecords.pods(value, reader), Named.as("inventory-pods"))
                .selectKey((key, event) -> NodeGraph.partitionKey(event), Named.as("inventory-by-namespace"));
        // What one partition of the graph sends another (already keyed by NodeGraph.partitionKey).
        KStream<String, AuditEvent> forwarded = builder
                .stream(Topics.GRAPH_FORWARDS, Consumed.with(Serdes.String(), events)
                        .withTimestampExtractor(new UsePartitionTimeOnInvalidTimestamp())
                        .withName("graph-forwards-source"));

        parsed.split(Named.as("route-"))
                .branch((key, outcome) -> outcome.isRejected(), Branched.withConsumer(rejected -> rejected
                        .map((key, outcome) -> KeyValue.pair(outcome.originalKey(), outcome.rejection().raw()),
                                Named.as("dlq-record"))
                        .to(Topics.AUDIT_DLQ, Produced.with(Serdes.ByteArray(), Serdes.ByteArray())
                                .withName("dlq-sink")), "rejected"))
                .defaultBranch(Branched.withConsumer(accepted -> {
                    KStream<String, AuditEvent> parsedEvents = accepted.mapValues(ParseOutcome::event, Named.as("parsed-event"));
                    KStream<String, AuditEvent> admitted = parsedEvents
                            .repartition(Repartitioned.<String, AuditEvent>as(BY_IDENTITY)
                                    .withKeySerde(Serdes.String()).withValueSerde(events))
                            .processValues(() -> new DedupProcessor(analyses.dedup()), Named.as("dedup-requests"),
                                    REQUEST_DEDUP_STORE);
                    admitted.process(() -> new AnalysisProcessor(analyses.engine(), RULE_STATE_STORE),
                                    Named.as("evaluate-rules"), RULE_STATE_STORE)
                            .to(Topics.ALERTS, alerts.withName("alerts-sink"));
                    admitted.filter((identity, event) -> analyses.tokenSources().accepts(event), Named.as("node-token-events"))
                            .process(() -> new AnalysisProcessor(analyses.tokenSources(), TOKEN_SOURCES_STORE),
                                    Named.as("token-sources"), TOKEN_SOURCES_STORE)
                            .to(Topics.ALERTS, alerts.withName("token-sources-alerts-sink"));
                    // Straight from the parser, not through by-identity: a namespace's pod creates, bindings and
                    // kubelet reads come from different identities, and passing them through per-identity tasks
                    // would reorder them. The graph needs no dedup: its updates are idempotent, its verdicts once
                    // per request.
                    parsedEvents.filter((key, event) -> analyses.nodeGraph().accepts(event), Named.as("node-graph-events"))
                            .selectKey((key, event) -> NodeGraph.partitionKey(event), Named.as("key-by-namespace"))
                            .merge(inventory, Named.as("graph-input"))
                            .merge(forwarded, Named.as("graph-input-forwarded"))
                            .repartition(Repartitioned.<String, AuditEvent>as(BY_NAMESPACE)
                                    .withKeySerde(Serdes.String()).withValueSerde(events))
                            .process(() -> new NodeGraphProcessor(analyses.nodeGraph()), Named.as("node-graph"), NODE_GRAPH_STORE)
                            .split(Named.as("node-graph-"))
                            .branch((key, out) -> out.alert() != null, Branched.withConsumer(raised -> raised
                                    .mapValues(GraphOutput::alert, Named.as("node-graph-alert"))
                                    .to(Topics.ALERTS, alerts.withName("node-graph-alerts-sink")), "alerts"))
                            .defaultBranch(Branched.withConsumer(sent -> sent
                                    .mapValues(GraphOutput::forward, Named.as("node-graph-forward"))
                                    .to(Topics.GRAPH_FORWARDS, Produced.with(Serdes.String(), events)
                                            .withName("graph-forwards-sink")), "forwards"));
                }, "accepted"));
        builder.addGlobalStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(RULES_STORE), Serdes.String(),
                        Serdes.String()).withLoggingDisabled(), Topics.RULES,
                Consumed.with(Serdes.String(), Serdes.String()).withName("apply-rules"),
                () -> new RulesUpdateProcessor(rules, onRuleChange));
        return builder.build();
    }
}
