package io.auditwatch.engine;

import io.auditwatch.event.AuditEvent;
import io.auditwatch.state.ExpiringState;
import java.time.Duration;

/**
 * Remembers which rule already fired for which request, so a rule fires once per request whatever the number
 * of stages the request was logged at. A rule that fired before the request completed (exec, attach and
 * port-forward fire at ResponseStarted) is remembered a day, so a session's ResponseComplete hours later does
 * not fire again; only requests that fired are remembered, so this state stays small.
 */
public final class FiredMemory {
    private static final String FIRED = "fired|";
    private static final long OPEN_REQUEST_MEMORY_MILLIS = Duration.ofHours(24).toMillis();

    private final long requestMemoryMillis;

    public FiredMemory(Duration requestMemory) {
        this.requestMemoryMillis = requestMemory.toMillis();
    }

    /** True, and remembered, the first time {@code ruleId} fires for this event's request. */
    public boolean firstTime(ExpiringState state, String ruleId, AuditEvent event, String requestKey) {
        boolean complete = "ResponseComplete".equals(event.stage) || "Panic".equals(event.stage);
        return state.putIfAbsent(FIRED + ruleId + "|" + requestKey, "", event.stageTimeMillis()
                + (complete ? requestMemoryMillis : Math.max(requestMemoryMillis, OPEN_REQUEST_MEMORY_MILLIS)));
    }
}
