package io.auditwatch.state;

import java.util.List;
import java.util.function.BiConsumer;

/**
 * Replay's store for the rule engine: the keys under the given prefixes, which are only ever read by key (which
 * rules fired for which request, which correlations counted it: one new key per request), in a {@link HashStore};
 * everything else in a {@link TreeMapStore}. In one TreeMap those keys made up most of the tree (78k of it after
 * 200k generated events), and each lookup of a new request's random digest walked some seventeen cold levels.
 * {@link #range} and {@link #prefix} refuse to reach the hashed keys, as {@link HashStore} does, rather than
 * miss them; {@link #scan} goes through the ordered keys in order, then through the hashed ones in the map's own
 * order, which is all that {@link ExpiringState}'s sweep needs.
 */
public final class SplitStore implements SortedStore {
    private final List<String> hashedPrefixes;
    private final TreeMapStore ordered = new TreeMapStore();
    private final HashStore hashed = new HashStore();
    /** Whether the pass in progress has got to the hashed keys. */
    private boolean scanningHashed;

    /** {@code hashedPrefixes}: the store keys (as {@link ExpiringState#storeKey} makes them) that are read by key only. */
    public SplitStore(List<String> hashedPrefixes) {
        this.hashedPrefixes = List.copyOf(hashedPrefixes);
    }

    private SortedStore holding(String key) {
        for (String prefix : hashedPrefixes) {
            if (key.startsWith(prefix)) {
                return hashed;
            }
        }
        return ordered;
    }

    @Override
    public String get(String key) {
        return holding(key).get(key);
    }

    @Override
    public void put(String key, String value) {
        holding(key).put(key, value);
    }

    @Override
    public void delete(String key) {
        holding(key).delete(key);
    }

    @Override
    public void range(String from, String to, BiConsumer<String, String> visitor) {
        for (String hashedPrefix : hashedPrefixes) {
            // Keys under the prefix are at least the prefix, and below any key greater than it that does not start so.
            if (hashedPrefix.compareTo(to) < 0 && (from.compareTo(hashedPrefix) <= 0 || from.startsWith(hashedPrefix))) {
                throw unordered(hashedPrefix);
            }
        }
        ordered.range(from, to, visitor);
    }

    @Override
    public void prefix(String prefix, BiConsumer<String, String> visitor) {
        for (String hashedPrefix : hashedPrefixes) {
            if (hashedPrefix.startsWith(prefix) || prefix.startsWith(hashedPrefix)) {
                throw unordered(hashedPrefix);
            }
        }
        ordered.prefix(prefix, visitor);
    }

    private static UnsupportedOperationException unordered(String hashedPrefix) {
        return new UnsupportedOperationException("keys under " + hashedPrefix + " are hashed, read by key only");
    }

    /**
     * A pass over the ordered keys from {@code from}, then over the hashed ones; {@code from} empty begins a new
     * pass. Returns the last key visited when the limit was reached, else null: the pass is over.
     */
    @Override
    public String scan(String from, int limit, BiConsumer<String, String> visitor) {
        if (from.isEmpty()) {
            scanningHashed = false;
        }
        if (scanningHashed) {
            return hashed.scan(from, limit, visitor);
        }
        int[] visited = {0};
        String last = ordered.scan(from, limit, (k, v) -> {
            visited[0]++;
            visitor.accept(k, v);
        });
        if (last != null) {
            return last;
        }
        // The ordered keys are done; the rest of this slice begins the pass over the hashed ones.
        scanningHashed = true;
        return hashed.scan("", limit - visited[0], visitor);
    }

    public int size() {
        return ordered.size() + hashed.size();
    }
}
