package io.auditwatch.engine;

import io.auditwatch.event.AuditEvent;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The short digests that state keys are made of, for one event. The texts digested recur from event to event (a
 * service account's name, its addresses and user agents, the object a kubelet reads again and again), so the
 * digests of recent texts are kept per thread: a lookup costs a fraction of a SHA-256. The request key itself is
 * built on first use: most events reach no correlation's state.
 */
public final class Digests {
    /** Hex chars of a key digest: 96 bits, so no two requests, groups or values of one rule collide. */
    private static final int KEY_HEX_CHARS = 24;
    /** Texts whose digests a thread keeps, the oldest dropped first: bounded, whatever texts attackers send. */
    private static final int RECENT_TEXTS = 4_096;
    private static final ThreadLocal<Map<String, String>> RECENT = ThreadLocal.withInitial(() ->
            new LinkedHashMap<>(2 * RECENT_TEXTS) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
                    return size() > RECENT_TEXTS;
                }
            });

    private final AuditEvent event;
    private String requestKey;
    private String request;

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

    /** The digest of the event's request key: new with nearly every request, so not kept beyond this event. */
    public String request() {
        if (request == null) {
            request = digest(requestKey());
        }
        return request;
    }

    /** {@link RequestKey#digest} of {@code text} cut to 24 hex chars. */
    public String of(String text) {
        Map<String, String> recent = RECENT.get();
        String digest = recent.get(text);
        if (digest == null) {
            digest = digest(text);
            recent.put(text, digest);
        }
        return digest;
    }

    private static String digest(String text) {
        return RequestKey.digest(text, KEY_HEX_CHARS);
    }
}
