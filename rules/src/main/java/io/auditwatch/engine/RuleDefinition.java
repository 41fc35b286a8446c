package io.auditwatch.engine;

import io.auditwatch.alert.Alert;
import io.auditwatch.alert.Level;
import io.auditwatch.event.AuditEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A rule's identity and metadata: what an alert says about the rule that raised it. {@code equivalents} names
 * every equivalent rule of other tools; those under {@code when} hold only for the events that their condition
 * matches (a rule on binding changes is Falco's "Created" rule for a create, its "Deleted" rule for a delete), so
 * an alert names only the equivalents of what it saw.
 */
public record RuleDefinition(String id, String title, Level level, List<String> tags, List<String> equivalents,
                             Map<String, When> when) {

    /** A rule whose equivalents hold for every event it matches. */
    public RuleDefinition(String id, String title, Level level, List<String> tags, List<String> equivalents) {
        this(id, title, level, tags, equivalents, Map.of());
    }

    /** The condition of a conditional equivalent: as the rule file says it, and as compiled. */
    public record When(String text, Predicate<AuditEvent> test) {
    }

    /** The equivalents that hold for an event this rule matched. */
    public List<String> equivalentsFor(AuditEvent event) {
        if (when.isEmpty()) {
            return equivalents;
        }
        List<String> out = new ArrayList<>(equivalents.size());
        for (String name : equivalents) {
            When condition = when.get(name);
            if (condition == null || condition.test().test(event)) {
                out.add(name);
            }
        }
        return List.copyOf(out);
    }

    /** What an alert raised by {@code event} says about this rule. */
    public Alert.RuleRef ref(AuditEvent event) {
        return new Alert.RuleRef(id, title, level, tags, equivalentsFor(event));
    }
}
