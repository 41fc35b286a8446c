package io.auditwatch.state;

import java.util.function.BiConsumer;

/**
 * The one primitive each host provides: a sorted string map. Kafka Streams backs it with a RocksDB
 * store (whose byte order equals UTF-8 string order), replay with a TreeMap; replay's dedup, which is only read
 * by key, with a {@link HashStore} (no order, no ranges), and its rule engine with a {@link SplitStore} (the
 * per-request memories hashed, the rest in a TreeMap).
 */
public interface SortedStore {
    String get(String key);

    void put(String key, String value);

    void delete(String key);

    /** Visits every entry with {@code from <= key < to}, in key order. Deleting visited keys is allowed. */
    void range(String from, String to, BiConsumer<String, String> visitor);

    /** Visits every entry whose key starts with {@code prefix}, in key order. Deleting visited keys is allowed. */
    void prefix(String prefix, BiConsumer<String, String> visitor);

    /**
     * Visits at most {@code limit} entries with {@code from <= key}, in key order; deleting visited keys is allowed.
     * Returns the key of the last entry visited when the limit was reached (more may follow), else null.
     */
    String scan(String from, int limit, BiConsumer<String, String> visitor);
}
