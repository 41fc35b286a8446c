package io.auditwatch.state;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/** The replay host's store: in memory, no framework in the way. */
public final class TreeMapStore implements SortedStore {
    private final TreeMap<String, String> map = new TreeMap<>();

    @Override
    public String get(String key) {
        return map.get(key);
    }

    @Override
    public void put(String key, String value) {
        map.put(key, value);
    }

    @Override
    public void delete(String key) {
        map.remove(key);
    }

    @Override
    public void range(String from, String to, BiConsumer<String, String> visitor) {
        // Copy first so that the visitor may delete what it visits.
        List<Map.Entry<String, String>> entries = new ArrayList<>(map.subMap(from, true, to, false).entrySet());
        for (Map.Entry<String, String> e : entries) {
            visitor.accept(e.getKey(), e.getValue());
        }
    }

    @Override
    public void prefix(String prefix, BiConsumer<String, String> visitor) {
        // Not range(prefix, prefix + U+FFFF): that bound misses keys that go on with U+FFFF itself.
        List<Map.Entry<String, String>> entries = new ArrayList<>();
        for (Map.Entry<String, String> e : map.tailMap(prefix, true).entrySet()) {
            if (!e.getKey().startsWith(prefix)) {
                break;
            }
            entries.add(new AbstractMap.SimpleImmutableEntry<>(e));
        }
        for (Map.Entry<String, String> e : entries) {
            visitor.accept(e.getKey(), e.getValue());
        }
    }

    @Override
    public String scan(String from, int limit, BiConsumer<String, String> visitor) {
        List<Map.Entry<String, String>> slice = new ArrayList<>(Math.min(limit, map.size()));
        for (Map.Entry<String, String> e : map.tailMap(from, true).entrySet()) {
            if (slice.size() == limit) {
                break;
            }
            slice.add(new AbstractMap.SimpleImmutableEntry<>(e));
        }
        for (Map.Entry<String, String> e : slice) {
            visitor.accept(e.getKey(), e.getValue());
        }
        return slice.size() < limit ? null : slice.get(slice.size() - 1).getKey();
    }

    public int size() {
        return map.size();
    }
}
