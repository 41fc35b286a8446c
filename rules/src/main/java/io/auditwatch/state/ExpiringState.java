package io.auditwatch.state;

import java.util.function.BiConsumer;

/**
 * Key-value state whose entries expire in event time, over any {@link SortedStore}. Each entry is one record,
 * its expiry in its value: an entry is gone from the moment its time has passed, whether or not the host has
 * purged it yet, so live and replay agree whatever their purge schedule. {@link #expire()} sweeps the store a
 * slice at a time (in key order, or in a {@link HashStore}'s own), at least twice as many entries as were written since the last sweep, so the
 * sweep outruns the writes and expired entries never make up more than about half the store. An expiry index
 * would make the purge a scan of what is due only, but it costs a second write per entry and a second delete
 * at expiry, on RocksDB and on the changelog, for every request the detector remembers.
 */
public final class ExpiringState {
    private static final String VALUE = "v|";
    /** Expiry index written by earlier versions; swept away on sight. */
    private static final String LEGACY_INDEX = "x|";
    private static final int MIN_SWEEP = 1_024;

    private final SortedStore store;
    private long now = Long.MIN_VALUE;
    private long writesSinceSweep;
    /** Where the next sweep starts; null: from the first key. */
    private String sweepFrom;

    public ExpiringState(SortedStore store) {
        this.store = store;
    }

    /** The key in the underlying store of this state's {@code key} (for a host that places keys by prefix). */
    public static String storeKey(String key) {
        return VALUE + key;
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
        return put(key, value, false, expiresAt);
    }

    /**
     * Keeps the live value under {@code key} until {@code expiresAt}, or stores {@code initial} if there is none;
     * returns the live value kept, or null. The same as {@code get} then {@code put} of what it found, with one
     * store read instead of two.
     */
    public String keep(String key, String initial, long expiresAt) {
        return put(key, initial, true, expiresAt);
    }

    /**
     * Stores {@code value} under {@code key} until {@code expiresAt} without reading the entry first: for a caller
     * that has just read it and changed its value, so neither the replaced value nor the refresh rule (which
     * skips only unchanged values) would be of use.
     */
    public void replace(String key, String value, long expiresAt) {
        write(VALUE + key, value, expiresAt);
    }

    private String put(String key, String value, boolean keepLive, long expiresAt) {
        String stored = VALUE + key; // built (and hashed) once for the read and the write
        String previous = store.get(stored);
        String replaced = null;
        if (previous != null) {
            int bar = previous.indexOf('|');
            long oldExpiry = Long.parseLong(previous, 0, bar, 10);
            if (oldExpiry > now) {
                replaced = previous.substring(bar + 1);
                if (keepLive) {
                    value = replaced;
                }
            }
            if (isRefreshOnly(previous, bar, oldExpiry, value, expiresAt)) {
                return replaced;
            }
        }
        write(stored, value, expiresAt);
        return replaced;
    }

    /**
     * Stores {@code value} under {@code key} until {@code expiresAt} unless a live entry is there; true if it
     * stored. The same as {@code get(key) == null} then {@code put}, with one store read instead of two.
     */
    public boolean putIfAbsent(String key, String value, long expiresAt) {
        String stored = VALUE + key;
        String previous = store.get(stored);
        if (previous != null && Long.parseLong(previous, 0, previous.indexOf('|'), 10) > now) {
            return false;
        }
        write(stored, value, expiresAt);
        return true;
    }

    /** Writes under {@code storedKey}, the key as the store holds it ({@link #storeKey}). */
    private void write(String storedKey, String value, long expiresAt) {
        store.put(storedKey, expiresAt + "|" + value);
        writesSinceSweep++;
    }

    /**
     * Re-putting a live entry unchanged with an expiry pushed out by less than 1/64 of its remaining life (a
     * window refreshed by every event) would cost a write for nothing; the entry then expires at most that
     * fraction early. Both hosts share this rule, so live and replay still agree.
     */
    private boolean isRefreshOnly(String previous, int bar, long oldExpiry, String value, long expiresAt) {
        return now != Long.MIN_VALUE && oldExpiry > now && expiresAt >= oldExpiry
                && expiresAt - oldExpiry <= (expiresAt - now) / 64
                && previous.length() - bar - 1 == value.length() && previous.startsWith(value, bar + 1);
    }

    public void delete(String key) {
        store.delete(VALUE + key);
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

    /** Purges the expired entries of the next slice of the store; returns how many. */
    public int expire() {
        long budget = Math.max(MIN_SWEEP, 2 * writesSinceSweep);
        writesSinceSweep = 0;
        int[] purged = {0};
        BiConsumer<String, String> purge = (k, v) -> {
            if (k.startsWith(LEGACY_INDEX) || k.startsWith(VALUE) && Long.parseLong(v, 0, v.indexOf('|'), 10) <= now) {
                store.delete(k);
                purged[0]++;
            }
        };
        boolean wrapped = sweepFrom == null;
        while (budget > 0) {
            int slice = (int) Math.min(budget, MIN_SWEEP);
            String last = store.scan(sweepFrom == null ? "" : sweepFrom, slice, purge);
            budget -= slice;
            // Go on from the smallest key after the last one visited; at the end, from the first key once more.
            sweepFrom = last == null ? null : last + '\0';
            if (last == null) {
                if (wrapped) {
                    break; // the whole store was visited
                }
                wrapped = true;
            }
        }
        return purged[0];
    }
}
