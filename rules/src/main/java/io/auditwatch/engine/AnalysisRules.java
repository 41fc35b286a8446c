package io.auditwatch.engine;

/**
 * Where an analysis finds the current tuning of the rules it raises (changed at run time through
 * {@code auditwatch.rules}, as the rules of the rule language are). Asked at every alert, so a change applies from
 * the next alert on, with no restart.
 */
public interface AnalysisRules {
    /** No tuning: every rule as it was built. */
    AnalysisRules BUILT_IN = AnalysisRule::of;

    /** {@code builtIn} as tuned now, or as it was built when nobody tuned it. */
    AnalysisRule tuned(RuleDefinition builtIn);
}
