package io.auditwatch.engine;

import io.auditwatch.event.AuditEvent;
import io.auditwatch.state.ExpiringState;
import java.time.Duration;

/**
 * Remembers which rule already fired for which request, so a rule fires once per request whatever the number
 * of stages the request was logged at and however late a copy of it is re-sent (a webhook batch retried after an
 * outage, a file shipped twice). Memory counts from when the request was seen, on the state's clock (the latest
 * event time seen), not from the request's own time: a request that arrives two days late is remembered as long
 * as a timely one. A rule that fired before the request completed (exec, attach and port-forward fire at
 * ResponseStarted) is remembered at least a day, so a session's ResponseComplete hours later does not fire again;
 * only requests that fired are remembered, so this state stays small.
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
        return state.putIfAbsent(FIRED + ruleId + "|" + requestKey, "", expiry(state, event));
    }

    /** Remembers that {@code ruleId} fired for this event's request, whether or not it was remembered before. */
    public void remember(ExpiringState state, String ruleId, AuditEvent event, String requestKey) {
        state.put(FIRED + ruleId + "|" + requestKey, "", expiry(state, event));
    }

    /**
     * True if {@code ruleId} did not fire at an earlier stage of this event's request; remembered only while a later
     * stage can follow. A request's last stage is checked, not written: for an analysis that judges nearly every
     * event of a kind (every kubelet read) and whose verdicts are idempotent, that saves a write per request; an
     * exact repeat of the last stage (a retried batch) is judged again, unless {@link #remember} recorded that it
     * fired.
     */
    public boolean notFiredAtAnEarlierStage(ExpiringState state, String ruleId, AuditEvent event, String requestKey) {
        return isLastStage(event) ? state.get(FIRED + ruleId + "|" + requestKey) == null
                : firstTime(state, ruleId, event, requestKey);
    }

    private long expiry(ExpiringState state, AuditEvent event) {
        long seen = Math.max(event.stageTimeMillis(), state.now());
        return seen + (isLastStage(event) ? requestMemoryMillis : Math.max(requestMemoryMillis, OPEN_REQUEST_MEMORY_MILLIS));
    }

    private static boolean isLastStage(AuditEvent event) {
        return "ResponseComplete".equals(event.stage) || "Panic".equals(event.stage);
    }
}
