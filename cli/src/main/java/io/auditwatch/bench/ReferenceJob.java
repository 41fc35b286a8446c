package io.auditwatch.bench;

import io.auditwatch.detector.DetectorApp;
import io.auditwatch.detector.DetectorConfig;
import io.auditwatch.kafka.Topics;
import io.auditwatch.event.AuditEvent;
import io.auditwatch.event.AuditEventReader;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The yardstick for the detector: the least a per-identity Kafka Streams job does. Parse each record with the
 * detector's parser, re-key by user through a repartition topic, one RocksDB read-modify-write per event. It
 * runs with the detector's own Streams settings (processing guarantee, record sizes), so only the work differs.
 */
final class ReferenceJob {
    static final String STORE = "events-per-user";

    private ReferenceJob() {
    }

    static Topology topology(AuditEventReader reader) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.String(), Serdes.Long()));
        builder.stream(Topics.AUDIT_EVENTS, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
                .flatMap((key, value) -> reader.read(value, 0L).events().stream()
                        .map(e -> KeyValue.pair(user(e), value)).toList(), Named.as("parse"))
                .repartition(Repartitioned.<String, byte[]>as("by-user").withKeySerde(Serdes.String())
                        .withValueSerde(Serdes.ByteArray()))
                .process(Count::new, Named.as("count"), STORE);
        return builder.build();
    }

    private static String user(AuditEvent e) {
        return e.username() == null ? "" : e.username();
    }

    static KafkaStreams start(DetectorConfig config) {
        Properties p = DetectorApp.properties(config);
        KafkaStreams streams = new KafkaStreams(topology(config.reader()), p);
        streams.start();
        return streams;
    }

    /** One read-modify-write per event; forwards nothing, as the cost measured is the store's. */
    private static final class Count implements Processor<String, byte[], Void, Void> {
        private KeyValueStore<String, Long> store;

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore(STORE);
        }

        @Override
        public void process(Record<String, byte[]> record) {
            Long seen = store.get(record.key());
            store.put(record.key(), seen == null ? 1 : seen + 1);
        }
    }
}
