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
    /** Every key of this memory starts so; it is only ever read by key. */
    public static final String FIRED = "fired|";
    private static final long OPEN_REQUEST_MEMORY_MILLIS = Duration.ofHours(24).toMillis();

    private final long requestMemoryMillis;

    public FiredMemory(Duration requestMemory) {
        this.requestMemoryMillis = requestMemory.toMillis();
    }

    /** True, and remembered, the first time {@code ruleId} fires for this event's request. */
    public boolean firstTime(ExpiringState state, String ruleId, AuditEvent event, String requestKey) {
        boolean complete = isLastStage(event);
        return state.putIfAbsent(FIRED + ruleId + "|" + requestKey, "", event.stageTimeMillis()
                + (complete ? requestMemoryMillis : Math.max(requestMemoryMillis, OPEN_REQUEST_MEMORY_MILLIS)));
    }

    /**
     * True if {@code ruleId} did not fire at an earlier stage of this event's request; remembered only while a later
     * stage can follow. A request's last stage is checked, not written: for an analysis that judges nearly every
     * event of a kind (every kubelet read) and whose verdicts are idempotent, that saves a write per request; an
     * exact repeat of the last stage (a retried batch) is judged again.
     */
    public boolean notFiredAtAnEarlierStage(ExpiringState state, String ruleId, AuditEvent event, String requestKey) {
        return isLastStage(event) ? state.get(FIRED + ruleId + "|" + requestKey) == null
                : firstTime(state, ruleId, event, requestKey);
    }

    private static boolean isLastStage(AuditEvent event) {
        return "ResponseComplete".equals(event.stage) || "Panic".equals(event.stage);
    }
}
