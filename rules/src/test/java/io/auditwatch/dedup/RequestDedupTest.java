package io.auditwatch.dedup;

import static io.auditwatch.testing.EventJson.T0_MILLIS;
import static io.auditwatch.testing.EventJson.podExec;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.event.AuditEvent;
import io.auditwatch.state.ExpiringState;
import io.auditwatch.state.TreeMapStore;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RequestDedupTest {
    private static final Duration MEMORY = Duration.ofMinutes(10);

    private final RequestDedup dedup = new RequestDedup(MEMORY);
    private final ExpiringState state = new ExpiringState(new TreeMapStore());

    private boolean admit(AuditEvent e) {
        state.advanceTo(e.eventTimeMillis());
        return dedup.admit(e, state);
    }

    @Test
    void shouldNotAdmitTheSameRequestAtTheSameStageTwice() {
        AuditEvent e = podExec().stage("ResponseStarted").parse();
        AuditEvent retry = podExec().stage("ResponseStarted").parse();

        assertTrue(admit(e));
        assertFalse(admit(retry));
        assertFalse(admit(e));
    }

    @Test
    void shouldAdmitAnotherStageOfTheSameRequest() {
        assertTrue(admit(podExec().stage("ResponseStarted").parse()));
        assertTrue(admit(podExec().stage("ResponseComplete").code(200).stageAt("2024-05-01T10:05:00Z").parse()));
    }

    @Test
    void shouldAdmitAnotherRequest() {
        assertTrue(admit(podExec().auditID("a-1").parse()));
        assertTrue(admit(podExec().auditID("a-2").parse()));
        assertTrue(admit(podExec().auditID("a-1").user("mallory@example.com").parse()));
        assertTrue(admit(podExec().auditID("a-1").received("2024-05-01T10:00:01Z").parse()));
    }

    @Test
    void shouldAdmitTheRequestAgainOnceItsMemoryHasElapsed() {
        AuditEvent e = podExec().parse();
        assertTrue(admit(e));

        // Memory runs from when the stage was logged, not from when the request was received.
        state.advanceTo(e.stageTimeMillis() + MEMORY.toMillis() - 1);
        assertFalse(dedup.admit(e, state));

        state.advanceTo(e.stageTimeMillis() + MEMORY.toMillis());
        assertTrue(dedup.admit(e, state));
    }

    @Test
    void shouldRecogniseARepeatOfAnEventWithoutAuditId() {
        assertTrue(admit(podExec().remove("auditID").parse()));
        assertFalse(admit(podExec().remove("auditID").parse()));
        assertTrue(admit(podExec().remove("auditID").set("sourceIPs", java.util.List.of("198.51.100.7")).parse()));
    }
}
