package io.auditwatch.engine;

import io.auditwatch.event.AuditEvent;
import java.util.function.Predicate;

/**
 * A rule whose logic is an analysis written in Java (the node graph's, the token sources') as its rule document
 * defines it and a SOC has tuned it: its metadata (level first), whether it runs, and the exceptions under which it
 * stays quiet.
 */
public record AnalysisRule(RuleDefinition definition, boolean enabled, Predicate<AuditEvent> exception) {
    /** True if this rule alerts on {@code event} once its own logic has found it. */
    public boolean firesOn(AuditEvent event) {
        return enabled && !exception.test(event);
    }
}
