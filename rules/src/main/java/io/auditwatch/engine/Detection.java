package io.auditwatch.engine;

import io.auditwatch.event.AuditEvent;

/**
 * A single-event detection: the interface that built-in detections implement now and that compiled rules
 * from the rule language implement later. It only judges; the engine handles dedup and alert building.
 */
public interface Detection {
    RuleDefinition rule();

    boolean matches(AuditEvent event);

    /** One line: what happened. */
    String summary(AuditEvent event);

    /** Why it fired, in words a SOC analyst can act on. */
    String explanation(AuditEvent event);
}
