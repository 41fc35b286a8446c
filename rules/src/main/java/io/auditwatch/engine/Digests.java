package io.auditwatch.engine;

import io.auditwatch.event.AuditEvent;
import java.util.HashMap;
import java.util.Map;

/**
 * The short digests that state keys are made of, for one event: several correlations key their state by the same
 * request and often the same group, so each text is hashed once per event, not once per correlation. The request
 * key itself is built on first use: most events reach no correlation's state.
 */
public final class Digests {
    /** Hex chars of a key digest: 96 bits, so no two requests, groups or values of one rule collide. */
    private static final int KEY_HEX_CHARS = 24;

    private final AuditEvent event;
    private String requestKey;
    private final Map<String, String> computed = new HashMap<>(8);

    /** For {@code event}, whose {@link RequestKey} may already be known (null: built when asked for). */
    public Digests(AuditEvent event, String requestKey) {
        this.event = event;
        this.requestKey = requestKey;
    }

    /** The event's {@link RequestKey}. */
    public String requestKey() {
        if (requestKey == null) {
            requestKey = RequestKey.of(event);
        }
        return requestKey;
    }

    /** The digest of the event's request key. */
    public String request() {
        return of(requestKey());
    }

    /** {@link RequestKey#digest} of {@code text} cut to 24 hex chars. */
    public String of(String text) {
        return computed.computeIfAbsent(text, t -> RequestKey.digest(t, KEY_HEX_CHARS));
    }
}
