package io.auditwatch.state;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Key-value state whose entries expire in event time, over any {@link SortedStore}. An expiry index kept in
 * the same store ({@code x|<time>|<key>}) makes {@link #expire(long)} a range scan of what is due, not a
 * scan of everything. An entry is gone from the moment its time has passed, whether or not the host has
 * purged it yet, so live and replay agree whatever their purge schedule.
 */
public final class ExpiringState {
    private static final String VALUE = "v|";
    private static final String INDEX = "x|";
    private static final int TIME_WIDTH = 13; // epoch millis until the year 2286

    private final SortedStore store;
    private long now = Long.MIN_VALUE;

    public ExpiringState(SortedStore store) {
        this.store = store;
    }

    /** Moves this state's clock to the host's stream time; it never goes back. */
    public void advanceTo(long streamTime) {
        if (streamTime > now) {
            now = streamTime;
        }
    }

    /** The latest stream time this state has been advanced to. */
    public long now() {
        return now;
    }

    public String get(String key) {
        String stored = store.get(VALUE + key);
        if (stored == null) {
            return null;
        }
        int bar = stored.indexOf('|');
        return Long.parseLong(stored, 0, bar, 10) <= now ? null : stored.substring(bar + 1);
    }

    /**
     * Stores {@code value} under {@code key} until event time {@code expiresAt} (epoch millis); returns the live
     * value it replaces, or null (one store read either way, so a caller need not get before it puts).
     */
    public String put(String key, String value, long expiresAt) {
        String previous = store.get(VALUE + key);
        String replaced = null;
        if (previous != null) {
            int bar = previous.indexOf('|');
            long oldExpiry = Long.parseLong(previous, 0, bar, 10);
            if (oldExpiry > now) {
                replaced = previous.substring(bar + 1);
            }
            if (isRefreshOnly(previous, bar, oldExpiry, value, expiresAt)) {
                return replaced;
            }
            store.delete(indexKey(oldExpiry, key));
        }
        write(key, value, expiresAt);
        return replaced;
    }

    /**
     * Stores {@code value} under {@code key} until {@code expiresAt} unless a live entry is there; true if it
     * stored. The same as {@code get(key) == null} then {@code put}, with one store read instead of two.
     */
    public boolean putIfAbsent(String key, String value, long expiresAt) {
        String previous = store.get(VALUE + key);
        if (previous != null) {
            int bar = previous.indexOf('|');
            long oldExpiry = Long.parseLong(previous, 0, bar, 10);
            if (oldExpiry > now) {
                return false;
            }
            store.delete(indexKey(oldExpiry, key));
        }
        write(key, value, expiresAt);
        return true;
    }

    private void write(String key, String value, long expiresAt) {
        store.put(VALUE + key, expiresAt + "|" + value);
        store.put(indexKey(expiresAt, key), "");
    }

    /**
     * Re-putting a live entry unchanged with an expiry pushed out by less than 1/64 of its remaining life (a
     * window refreshed by every event) would cost three writes for nothing; the entry then expires at most that
     * fraction early. Both hosts share this rule, so live and replay still agree.
     */
    private boolean isRefreshOnly(String previous, int bar, long oldExpiry, String value, long expiresAt) {
        return now != Long.MIN_VALUE && oldExpiry > now && expiresAt >= oldExpiry
                && expiresAt - oldExpiry <= (expiresAt - now) / 64
                && previous.length() - bar - 1 == value.length() && previous.startsWith(value, bar + 1);
    }

    public void delete(String key) {
        String previous = store.get(VALUE + key);
        if (previous != null) {
            store.delete(indexKey(Long.parseLong(previous, 0, previous.indexOf('|'), 10), key));
            store.delete(VALUE + key);
        }
    }

    /** Visits the live entries whose keys start with {@code prefix}. */
    public void range(String prefix, BiConsumer<String, String> visitor) {
        store.prefix(VALUE + prefix, live(visitor));
    }

    /** Visits the live entries whose keys are at least {@code from} and below {@code to}, in key order. */
    public void range(String from, String to, BiConsumer<String, String> visitor) {
        store.range(VALUE + from, VALUE + to, live(visitor));
    }

    private BiConsumer<String, String> live(BiConsumer<String, String> visitor) {
        return (k, v) -> {
            int bar = v.indexOf('|');
            if (Long.parseLong(v, 0, bar, 10) > now) {
                visitor.accept(k.substring(VALUE.length()), v.substring(bar + 1));
            }
        };
    }

    /** Purges every entry due at or before the current time; returns how many. */
    public int expire() {
        List<String> due = new ArrayList<>();
        store.range(INDEX, INDEX + pad(now + 1), (k, v) -> due.add(k));
        for (String indexKey : due) {
            store.delete(indexKey);
            store.delete(VALUE + indexKey.substring(INDEX.length() + TIME_WIDTH + 1));
        }
        return due.size();
    }

    private static String indexKey(long expiresAt, String key) {
        return INDEX + pad(expiresAt) + "|" + key;
    }

    private static String pad(long time) {
        String digits = Long.toString(Math.max(0, time));
        return "0".repeat(Math.max(0, TIME_WIDTH - digits.length())) + digits;
    }
}
