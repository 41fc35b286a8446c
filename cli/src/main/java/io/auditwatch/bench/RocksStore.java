package io.auditwatch.bench;

import io.auditwatch.state.SortedStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.rocksdb.CompactionStyle;
import org.rocksdb.CompressionType;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * The engine's store on a bare RocksDB with the options Kafka Streams gives its stores (no compression,
 * universal compaction), for measuring how much disk the node graph takes without a running topology.
 */
final class RocksStore implements SortedStore, AutoCloseable {
    private final Options options;
    private final RocksDB db;

    RocksStore(Path dir) throws RocksDBException {
        RocksDB.loadLibrary();
        options = new Options().setCreateIfMissing(true).setCompressionType(CompressionType.NO_COMPRESSION)
                .setCompactionStyle(CompactionStyle.UNIVERSAL);
        db = RocksDB.open(options, dir.toString());
    }

    @Override
    public String get(String key) {
        try {
            byte[] value = db.get(bytes(key));
            return value == null ? null : new String(value, StandardCharsets.UTF_8);
        } catch (RocksDBException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void put(String key, String value) {
        try {
            db.put(bytes(key), bytes(value));
        } catch (RocksDBException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void delete(String key) {
        try {
            db.delete(bytes(key));
        } catch (RocksDBException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void range(String from, String to, BiConsumer<String, String> visitor) {
        visit(from, key -> key.compareTo(to) < 0, visitor);
    }

    @Override
    public void prefix(String prefix, BiConsumer<String, String> visitor) {
        visit(prefix, key -> key.startsWith(prefix), visitor);
    }

    @Override
    public String scan(String from, int limit, BiConsumer<String, String> visitor) {
        int[] visited = {0};
        String[] last = {null};
        visit(from, key -> visited[0]++ < limit, (k, v) -> {
            last[0] = k;
            visitor.accept(k, v);
        });
        return visited[0] > limit ? last[0] : null;
    }

    private void visit(String from, java.util.function.Predicate<String> inRange, BiConsumer<String, String> visitor) {
        List<Map.Entry<String, String>> entries = new ArrayList<>();
        try (RocksIterator it = db.newIterator()) {
            for (it.seek(bytes(from)); it.isValid(); it.next()) {
                String key = new String(it.key(), StandardCharsets.UTF_8);
                if (!inRange.test(key)) {
                    break;
                }
                entries.add(Map.entry(key, new String(it.value(), StandardCharsets.UTF_8)));
            }
        }
        // Visit after the iterator is closed, so the visitor may delete (as StoreAdapter does).
        entries.forEach(e -> visitor.accept(e.getKey(), e.getValue()));
    }

    /** Writes the memtable out, so that the files on disk hold everything. */
    void flush() throws RocksDBException {
        try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
            db.flush(flush);
        }
        db.compactRange();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        db.close();
        options.close();
    }
}
