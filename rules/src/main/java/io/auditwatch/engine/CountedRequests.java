package io.auditwatch.engine;

import io.auditwatch.state.ExpiringState;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Which correlations have counted one request: a request counts once per correlation whatever the number of
 * stages it was logged at. One record per request, not one per correlation: the busiest requests (every request
 * of a service account) feed several correlations, and each record is a write to RocksDB and to its changelog.
 * Stored as {@code <until>;<id>,<id>...}: correlation ids never contain ';' or ','.
 */
public final class CountedRequests {
    /** Every key of these records starts so; they are only ever read by key. */
    public static final String KEY = "q|";

    private final ExpiringState state;
    private final Digests digests;
    private String key;
    private Set<String> ids;
    private long until;
    private boolean changed;

    /** For the request of the event {@code digests} are of; nothing is hashed or read until a correlation asks (most events match none). */
    public CountedRequests(ExpiringState state, Digests digests) {
        this.state = state;
        this.digests = digests;
    }

    /** True, and remembered at least until {@code keepUntil}, the first time {@code correlationId} counts the request. */
    public boolean firstTime(String correlationId, long keepUntil) {
        if (ids == null) {
            load();
        }
        if (!ids.add(correlationId)) {
            return false;
        }
        until = Math.max(until, keepUntil);
        changed = true;
        return true;
    }

    private void load() {
        key = KEY + digests.request();
        ids = new LinkedHashSet<>(4);
        String stored = state.get(key);
        if (stored != null) {
            int semicolon = stored.indexOf(';');
            until = Long.parseLong(stored, 0, semicolon, 10);
            for (String id : stored.substring(semicolon + 1).split(",")) {
                ids.add(id);
            }
        } else {
            until = Long.MIN_VALUE;
        }
    }

    /**
     * Writes the record once, after every correlation has seen the event, if one of them counted it: a new id
     * always changes the value, so it is written over what {@link #load} read without reading it again.
     */
    public void save() {
        if (changed) {
            state.replace(key, until + ";" + String.join(",", ids), until);
            changed = false;
        }
    }
}
