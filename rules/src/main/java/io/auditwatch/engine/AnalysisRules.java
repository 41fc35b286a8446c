package io.auditwatch.engine;

/**
 * Where an analysis finds the rules it raises: their definitions (from their documents in the rule pack) as a SOC
 * has tuned them (changed at run time through {@code auditwatch.rules}, as the rules of the rule language are).
 * Asked at every alert, so a change applies from the next alert on, with no restart.
 */
public interface AnalysisRules {
    /**
     * The rule {@code id} as it is in force now.
     *
     * @throws IllegalArgumentException when no rule document defines {@code id}
     */
    AnalysisRule rule(String id);
}
