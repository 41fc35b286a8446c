package io.auditwatch.language;

import io.auditwatch.engine.Detection;
import io.auditwatch.engine.RuleDefinition;
import io.auditwatch.event.AuditEvent;
import java.util.Set;

/** A rule of the rule language compiled into a single-event detection. */
final class CompiledRule implements Detection {
    private final RuleDefinition rule;
    private final Match match;
    private final Template summary;
    private final Template explanation;
    private final boolean perWorkload;

    CompiledRule(RuleDefinition rule, Match match, Template summary, Template explanation, boolean perWorkload) {
        this.rule = rule;
        this.match = match;
        this.summary = summary;
        this.explanation = explanation;
        this.perWorkload = perWorkload;
    }

    @Override
    public boolean perWorkload() {
        return perWorkload;
    }

    @Override
    public RuleDefinition rule() {
        return rule;
    }

    @Override
    public boolean matches(AuditEvent event) {
        return match.test(event);
    }

    @Override
    public Set<String> resources() {
        return match.resources();
    }

    @Override
    public Set<String> verbs() {
        return match.verbs();
    }

    @Override
    public String summary(AuditEvent event) {
        return summary.render(event);
    }

    @Override
    public String explanation(AuditEvent event) {
        return explanation.render(event);
    }
}
