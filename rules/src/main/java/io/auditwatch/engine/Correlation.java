package io.auditwatch.engine;

import io.auditwatch.alert.Alert;
import io.auditwatch.event.AuditEvent;
import io.auditwatch.state.ExpiringState;
import java.util.List;
import java.util.Set;

/**
 * A stateful analysis over many requests (thresholds, distinct counts, sequences, first-seen baselines), kept in
 * the host's state in event time so live and replay agree. It sees every event; counting each request once,
 * whatever the number of stages it was logged at, is its own business ({@link CountedRequests} remembers it).
 */
public interface Correlation {
    RuleDefinition rule();

    /** The detections whose matches this correlation counts (the correlations it counts are not among them). */
    List<Detection> bases();

    /**
     * @param digests the event's request key and key digests, shared by the correlations that observe it
     * @param counted which correlations have already counted the event's request (at an earlier stage)
     * @param raised ids of the rules and correlations that already alerted on this event, for correlations over
     *               correlations (a burst of refusals, then a success)
     * @param matched the {@link #bases()} of every correlation that match the event, each matched once for all
     */
    List<Alert> observe(AuditEvent event, Digests digests, CountedRequests counted,
                        ExpiringState state, Set<String> raised, Set<Detection> matched);

    /** A correlation that only feeds others: it keeps its state and counts, its own alerts are not emitted. */
    default boolean silent() {
        return false;
    }
}
