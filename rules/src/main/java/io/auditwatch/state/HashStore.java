package io.auditwatch.state;

import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Replay's store for state that is only read by key and swept, never ranged (dedup): a hash map, so a lookup
 * costs a few memory accesses where a TreeMap holding a busy hour's requests walks twenty levels of them.
 * It keeps no key order, so {@link #range} and {@link #prefix} refuse; {@link #scan} goes through the keys in
 * the map's own order, which is all that {@link ExpiringState}'s sweep needs.
 */
public final class HashStore implements SortedStore {
    private final Map<String, String> map = new HashMap<>();
    /** The keys of the pass in progress, as they were when it began; null between passes. */
    private String[] pass;
    private int next;

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
        throw new UnsupportedOperationException("HashStore keeps no key order: use it for state read by key only");
    }

    @Override
    public void prefix(String prefix, BiConsumer<String, String> visitor) {
        throw new UnsupportedOperationException("HashStore keeps no key order: use it for state read by key only");
    }

    /**
     * Visits at most {@code limit} entries of a pass over the store; deleting visited keys is allowed. {@code from}
     * empty begins a pass over the keys there are now; any other value goes on where the last scan stopped (a
     * sweep passes back what that scan returned), or begins a pass if none is under way. Keys written during a
     * pass wait for the next one. Returns the last key visited when the limit was reached, else null: the pass
     * is over.
     */
    @Override
    public String scan(String from, int limit, BiConsumer<String, String> visitor) {
        if (from.isEmpty() || pass == null) {
            pass = map.keySet().toArray(String[]::new);
            next = 0;
        }
        String last = null;
        int visited = 0;
        while (visited < limit && next < pass.length) {
            String key = pass[next++];
            String value = map.get(key);
            if (value != null) {
                visitor.accept(key, value);
                last = key;
                visited++;
            }
        }
        if (visited < limit) {
            pass = null;
            return null;
        }
        return last;
    }

    public int size() {
        return map.size();
    }
}
