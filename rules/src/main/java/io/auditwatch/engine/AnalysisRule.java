package io.auditwatch.engine;

import io.auditwatch.event.AuditEvent;
import java.util.function.Predicate;

/**
 * A detection written in Java (the node graph's, the token sources', a built-in one) as a SOC has tuned it:
 * its metadata (level first), whether it runs, and the exceptions under which it stays quiet.
 */
public record AnalysisRule(RuleDefinition definition, boolean enabled, Predicate<AuditEvent> exception) {
    /** The rule as it was built: enabled, no exceptions. */
    public static AnalysisRule of(RuleDefinition definition) {
        return new AnalysisRule(definition, true, event -> false);
    }

    /** True if this rule alerts on {@code event} once its own logic has found it. */
    public boolean firesOn(AuditEvent event) {
        return enabled && !exception.test(event);
    }
}
