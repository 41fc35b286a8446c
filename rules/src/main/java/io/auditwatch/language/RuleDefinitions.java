package io.auditwatch.language;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditwatch.alert.Level;
import io.auditwatch.engine.RuleDefinition;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What every rule, correlation and analysis rule document has, checked and compiled into a {@link RuleDefinition}:
 * the keys it may hold, title, id, level, status, logsource, tags and equivalents.
 */
final class RuleDefinitions {
    static final Set<String> RULE_KEYS = Set.of("title", "id", "name", "status", "description",
            "references", "author", "date", "modified", "tags", "logsource", "detection", "falsepositives", "level",
            "fields", "related", "license", "taxonomy", "scope",
            // ours
            "equivalents", "summary", "explanation", "exceptions", "enabled", "target");

    static final Set<String> ANALYSIS_KEYS = Set.of("title", "id", "status", "description", "references",
            "author", "date", "modified", "tags", "logsource", "falsepositives", "level", "license", "equivalents",
            "exceptions", "enabled", "analysis");

    static final Set<String> CORRELATION_KEYS = Set.of("title", "id", "name", "status", "description",
            "references", "author", "date", "modified", "tags", "falsepositives", "level", "related", "license",
            "correlation", "generate", "equivalents", "enabled");

    static final Set<String> STATUSES = Set.of("stable", "test", "experimental", "deprecated", "unsupported");

    static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

    static final Pattern EQUIVALENT = Pattern.compile("(falco|sigma|elastic|panther):\\S.*");

    /** What every rule and correlation has: id, title, level, tags, equivalents (fields null where invalid). */
    static RuleDefinition definition(YamlDocument doc, Map<String, List<String>> lists, List<RuleError> errors) {
        JsonNode root = doc.root();
        Set<String> allowed = root.has("correlation") ? CORRELATION_KEYS : root.has("analysis") ? ANALYSIS_KEYS : RULE_KEYS;
        for (Iterator<String> keys = root.fieldNames(); keys.hasNext(); ) {
            String key = keys.next();
            if (!allowed.contains(key)) {
                errors.add(doc.error("/" + YamlDocument.escape(key), "unknown key (" + (root.has("correlation")
                        ? "correlation" : root.has("analysis") ? "analysis rule" : "rule") + " keys: "
                        + String.join(", ", new java.util.TreeSet<>(allowed)) + ")"));
            }
        }
        String title = requireText(doc, "title", errors);
        String id = requireText(doc, "id", errors);
        if (id != null && !ID.matcher(id).matches()) {
            errors.add(doc.error("/id", "an id is letters, digits, '.', '_', ':', '-' (at most 128), not '" + id + "'"));
        }
        String levelText = requireText(doc, "level", errors);
        Level level = null;
        if (levelText != null) {
            try {
                level = Level.valueOf(levelText.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                errors.add(doc.error("/level", "unknown level '" + levelText
                        + "' (informational, low, medium, high, critical)"));
            }
        }
        if (root.has("status") && !STATUSES.contains(root.path("status").asText())) {
            errors.add(doc.error("/status", "unknown status '" + root.path("status").asText() + "' (" + STATUSES + ")"));
        }
        JsonNode logsource = root.path("logsource");
        if (logsource.has("product") && !"kubernetes".equals(logsource.path("product").asText())) {
            errors.add(doc.error("/logsource/product", "not a Kubernetes rule (product '"
                    + logsource.path("product").asText() + "'); this engine reads Kubernetes audit events"));
        }
        if (logsource.has("service") && !"audit".equals(logsource.path("service").asText())) {
            errors.add(doc.error("/logsource/service", "service must be 'audit'"));
        }
        List<String> tags = strings(doc, "tags", errors);
        List<String> equivalents = new ArrayList<>();
        Map<String, RuleDefinition.When> when = new LinkedHashMap<>();
        equivalents(doc, lists, equivalents, when, errors);
        if (root.has("enabled") && !root.path("enabled").isBoolean()) {
            errors.add(doc.error("/enabled", "enabled is true or false"));
        }

        return new RuleDefinition(id, title, level, tags, List.copyOf(equivalents), Map.copyOf(when));
    }

    /**
     * {@code equivalents}: each entry a name ({@code falco:<rule name>}, ...) that holds for every event the rule
     * matches, or {@code {name, when}} where {@code when} is a selection of the events for which it holds.
     */
    static void equivalents(YamlDocument doc, Map<String, List<String>> lists, List<String> names,
                                    Map<String, RuleDefinition.When> when, List<RuleError> errors) {
        JsonNode value = doc.root().path("equivalents");
        if (value.isMissingNode() || value.isNull()) {
            return;
        }
        if (!value.isArray()) {
            errors.add(doc.error("/equivalents", "'equivalents' is a list of names, or of {name, when}"));
            return;
        }
        for (int i = 0; i < value.size(); i++) {
            JsonNode entry = value.get(i);
            String pointer = "/equivalents/" + i;
            String name = entry.isObject() ? entry.path("name").asText("") : entry.asText("");
            if (!EQUIVALENT.matcher(name).matches()) {
                errors.add(doc.error(entry.isObject() ? pointer + "/name" : pointer, "an equivalent is falco:<rule name>,"
                        + " sigma:<rule id>, elastic:<rule name> or panther:<RuleID>"));
                continue;
            }
            if (names.contains(name)) {
                errors.add(doc.error(pointer, "equivalent '" + name + "' is listed twice"));
                continue;
            }
            names.add(name);
            if (entry.isObject()) {
                try {
                    Match match = Selections.selection(doc, pointer + "/when", entry.path("when"), lists);
                    when.put(name, new RuleDefinition.When(describe(entry.path("when")), match::test));
                } catch (RuleException e) {
                    errors.addAll(e.errors());
                }
            }
        }
    }

    /** A selection as one line, the way the rule file says it: {@code verb: create, objectRef.resource: roles}. */
    static String describe(JsonNode selection) {
        if (selection.isArray()) {
            List<String> any = new ArrayList<>();
            selection.forEach(s -> any.add(describe(s)));
            return String.join(" or ", any);
        }
        List<String> clauses = new ArrayList<>();
        selection.fields().forEachRemaining(f -> {
            List<String> values = new ArrayList<>();
            if (f.getValue().isArray()) {
                f.getValue().forEach(v -> values.add(v.asText()));
            } else {
                values.add(f.getValue().asText());
            }
            clauses.add(f.getKey() + ": " + (values.size() == 1 ? values.get(0) : "[" + String.join(", ", values) + "]"));
        });
        return String.join(", ", clauses);
    }

    static String requireText(YamlDocument doc, String key, List<RuleError> errors) {
        JsonNode value = doc.root().path(key);
        if (!value.isValueNode() || value.isNull() || value.asText().isBlank()) {
            errors.add(doc.error("/" + key, "'" + key + "' is required (a non-empty string)"));
            return null;
        }
        return value.asText().strip();
    }

    static List<String> strings(YamlDocument doc, String key, List<RuleError> errors) {
        JsonNode value = doc.root().path(key);
        if (value.isMissingNode() || value.isNull()) {
            return List.of();
        }
        if (!value.isArray()) {
            errors.add(doc.error("/" + key, "'" + key + "' is a list of strings"));
            return List.of();
        }
        List<String> out = new ArrayList<>();
        value.forEach(v -> out.add(v.asText()));
        return List.copyOf(out);
    }

    private RuleDefinitions() {
    }
}
