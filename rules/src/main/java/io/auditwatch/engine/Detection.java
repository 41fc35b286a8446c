package io.auditwatch.engine;

import io.auditwatch.event.AuditEvent;
import java.util.Set;

/**
 * A single-event detection: the interface that compiled rules of the rule language implement. It only judges; the engine handles dedup and alert building.
 */
public interface Detection {
    RuleDefinition rule();

    boolean matches(AuditEvent event);

    /** One line: what happened. */
    String summary(AuditEvent event);

    /** Why it fired, in words a SOC analyst can act on. */
    String explanation(AuditEvent event);

    /**
     * The {@code objectRef.resource} values (lower case) this detection can match, or null if it may match
     * any event; the engine tries a detection only on events whose resource it names.
     */
    default Set<String> resources() {
        return null;
    }

    /** The verbs (lower case) this detection can match, or null if any: indexed as {@link #resources()} are. */
    default Set<String> verbs() {
        return null;
    }

    /**
     * True when a finding is a workload, not a request: the alert names the workload whose pod spec the event
     * carries, whoever wrote it, and repeats of one template by one identity alert once (see the engine).
     */
    default boolean perWorkload() {
        return false;
    }
}
