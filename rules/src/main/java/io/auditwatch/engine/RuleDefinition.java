package io.auditwatch.engine;

import io.auditwatch.alert.Alert;
import io.auditwatch.alert.Level;
import java.util.List;

/** A rule's identity and metadata: what an alert says about the rule that raised it. */
public record RuleDefinition(String id, String title, Level level, List<String> tags, List<String> equivalents) {

    public Alert.RuleRef ref() {
        return new Alert.RuleRef(id, title, level, tags, equivalents);
    }
}
