package io.auditwatch.engine;

import java.util.HashMap;
import java.util.Map;

/**
 * The short digests that state keys are made of, for one event: several correlations key their state by the same
 * request and often the same group, so each text is hashed once per event, not once per correlation.
 */
public final class Digests {
    /** Hex chars of a key digest: 96 bits, so no two requests, groups or values of one rule collide. */
    private static final int KEY_HEX_CHARS = 24;

    private final Map<String, String> computed = new HashMap<>(8);

    /** {@link RequestKey#digest} of {@code text} cut to 24 hex chars. */
    public String of(String text) {
        return computed.computeIfAbsent(text, t -> RequestKey.digest(t, KEY_HEX_CHARS));
    }
}
