package io.auditwatch.state;

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
        // In UTF-16 order every string that starts with prefix sorts below prefix + U+FFFF.
        range(prefix, prefix + Character.MAX_VALUE, visitor);
    }

    public int size() {
        return map.size();
    }
}
