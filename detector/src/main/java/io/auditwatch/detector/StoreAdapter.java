package io.auditwatch.detector;

import io.auditwatch.state.SortedStore;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/** The engine's {@link SortedStore} on a Kafka Streams key-value store (RocksDB, changelogged). */
final class StoreAdapter implements SortedStore {
    private static final StringSerializer KEYS = new StringSerializer();

    private final KeyValueStore<String, String> store;

    StoreAdapter(KeyValueStore<String, String> store) {
        this.store = store;
    }

    @Override
    public String get(String key) {
        return store.get(key);
    }

    @Override
    public void put(String key, String value) {
        store.put(key, value);
    }

    @Override
    public void delete(String key) {
        store.delete(key);
    }

    @Override
    public void range(String from, String to, BiConsumer<String, String> visitor) {
        List<KeyValue<String, String>> entries = new ArrayList<>();
        try (KeyValueIterator<String, String> it = store.range(from, to)) {
            // Streams' range is inclusive at both ends; ours excludes "to".
            it.forEachRemaining(kv -> {
                if (!kv.key.equals(to)) {
                    entries.add(kv);
                }
            });
        }
        entries.forEach(kv -> visitor.accept(kv.key, kv.value));
    }

    @Override
    public void prefix(String prefix, BiConsumer<String, String> visitor) {
        List<KeyValue<String, String>> entries = new ArrayList<>();
        try (KeyValueIterator<String, String> it = store.prefixScan(prefix, KEYS)) {
            it.forEachRemaining(entries::add);
        }
        // Visit after the iterator is closed, so the visitor may delete.
        entries.forEach(kv -> visitor.accept(kv.key, kv.value));
    }

    @Override
    public String scan(String from, int limit, BiConsumer<String, String> visitor) {
        List<KeyValue<String, String>> entries = new ArrayList<>(Math.min(limit, 1024));
        // A null upper bound is open-ended.
        try (KeyValueIterator<String, String> it = store.range(from, null)) {
            while (entries.size() < limit && it.hasNext()) {
                entries.add(it.next());
            }
        }
        entries.forEach(kv -> visitor.accept(kv.key, kv.value));
        return entries.size() < limit ? null : entries.get(entries.size() - 1).key;
    }
}
