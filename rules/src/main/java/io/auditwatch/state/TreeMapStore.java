package io.auditwatch.state;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.BiConsumer;

/**
 * The replay host's store: in memory, no framework in the way. Most of the engine's operations are point reads
 * and writes of keys that share long prefixes ({@code v|c|<rule>|<group>|v|…}), where a tree pays a string
 * comparison per level: values live in a hash map, and a sorted set of the keys, touched only when a key comes
 * or goes, serves the ranges.
 */
public final class TreeMapStore implements SortedStore {
    private final Map<String, String> values = new HashMap<>();
    private final TreeSet<String> keys = new TreeSet<>();

    @Override
    public String get(String key) {
        return values.get(key);
    }

    @Override
    public void put(String key, String value) {
        if (values.put(key, Objects.requireNonNull(value, "value")) == null) {
            keys.add(key);
        }
    }

    @Override
    public void delete(String key) {
        if (values.remove(key) != null) {
            keys.remove(key);
        }
    }

    @Override
    public void range(String from, String to, BiConsumer<String, String> visitor) {
        visit(keys.subSet(from, true, to, false), visitor);
    }

    @Override
    public void prefix(String prefix, BiConsumer<String, String> visitor) {
        // Not range(prefix, prefix + U+FFFF): that bound misses keys that go on with U+FFFF itself.
        List<String> matching = new ArrayList<>();
        for (String key : keys.tailSet(prefix, true)) {
            if (!key.startsWith(prefix)) {
                break;
            }
            matching.add(key);
        }
        visit(matching, visitor);
    }

    /**
     * Copies the entries first, as the Kafka Streams host does: the visitor may delete what it visits and sees
     * the entries as they were when the scan began.
     */
    private void visit(Collection<String> matching, BiConsumer<String, String> visitor) {
        List<Map.Entry<String, String>> entries = new ArrayList<>();
        for (String key : matching) {
            entries.add(new AbstractMap.SimpleImmutableEntry<>(key, values.get(key)));
        }
        for (Map.Entry<String, String> e : entries) {
            visitor.accept(e.getKey(), e.getValue());
        }
    }

    @Override
    public String scan(String from, int limit, BiConsumer<String, String> visitor) {
        List<String> slice = new ArrayList<>(Math.min(limit, keys.size()));
        for (String key : keys.tailSet(from, true)) {
            if (slice.size() == limit) {
                break;
            }
            slice.add(key);
        }
        visit(slice, visitor);
        return slice.size() < limit ? null : slice.get(slice.size() - 1);
    }

    public int size() {
        return values.size();
    }
}
