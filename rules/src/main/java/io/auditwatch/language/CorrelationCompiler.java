package io.auditwatch.language;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditwatch.engine.Detection;
import io.auditwatch.engine.RuleDefinition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Compiles correlation documents (Sigma's correlations: event_count, value_count, temporal, temporal_ordered, and
 * our first_seen) over the rules and earlier correlations they count.
 */
final class CorrelationCompiler {
    static final Pattern TIMESPAN = Pattern.compile("(\\d+)([smhdw])");

    static CorrelationRule correlation(YamlDocument doc, Map<String, Detection> bases,
                                               Map<String, CorrelationRule> earlier, Map<String, List<String>> lists,
                                               List<RuleError> errors) {
        int before = errors.size();
        RuleDefinition definition = RuleDefinitions.definition(doc, lists, errors);
        JsonNode c = doc.root().path("correlation");
        CorrelationRule.Type type = null;
        String typeText = c.path("type").asText("");
        try {
            type = CorrelationRule.Type.valueOf(typeText.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            errors.add(doc.error("/correlation/type", "unknown correlation type '" + typeText
                    + "' (event_count, value_count, temporal, temporal_ordered, first_seen)"));
        }
        List<CorrelationRule.Base> rules = new ArrayList<>();
        JsonNode refs = c.path("rules");
        if (!refs.isArray() || refs.isEmpty()) {
            errors.add(doc.error("/correlation/rules", "a correlation needs 'rules', the ids or names of its base rules"));
        } else {
            for (int i = 0; i < refs.size(); i++) {
                Detection base = bases.get(refs.get(i).asText());
                CorrelationRule counted = earlier.get(refs.get(i).asText());
                if (base != null) {
                    rules.add(new CorrelationRule.Base(base.rule(), base));
                } else if (counted != null) {
                    rules.add(new CorrelationRule.Base(counted.rule(), null));
                } else {
                    errors.add(doc.error("/correlation/rules/" + i, "unknown rule '" + refs.get(i).asText()
                            + "' (a correlation may count rules, and correlations defined before it)"));
                }
            }
        }
        Map<String, List<EventField>> groupBy = groupBy(doc, c, rules, errors);
        long timespan = duration(doc, "/correlation/timespan", c.path("timespan"), errors);
        long learning = 0;
        long threshold = 1;
        List<String> valueNames = new ArrayList<>();
        JsonNode condition = c.path("condition");
        if (type == CorrelationRule.Type.EVENT_COUNT || type == CorrelationRule.Type.VALUE_COUNT) {
            JsonNode gte = condition.has("gte") ? condition.path("gte")
                    : condition.has("gt") ? condition.path("gt") : condition.path("eq");
            if (!gte.canConvertToLong() || gte.asLong() < 1 || !(condition.has("gte") || condition.has("gt") || condition.has("eq"))) {
                errors.add(doc.error("/correlation/condition", "a count condition is gte, gt or eq with a positive"
                        + " number (lt and lte cannot fire while events stream in)"));
            } else {
                threshold = gte.asLong() + (condition.has("gte") || condition.has("eq") ? 0 : 1);
            }
            if (type == CorrelationRule.Type.VALUE_COUNT) {
                valueNames.add(condition.path("field").asText(""));
            }
        }
        if (type == CorrelationRule.Type.FIRST_SEEN) {
            c.path("fields").forEach(f -> valueNames.add(f.asText()));
            learning = duration(doc, "/correlation/learning", c.path("learning"), errors);
        }
        List<EventField> valueFields = new ArrayList<>();
        if (type == CorrelationRule.Type.VALUE_COUNT || type == CorrelationRule.Type.FIRST_SEEN) {
            String where = type == CorrelationRule.Type.VALUE_COUNT ? "/correlation/condition/field" : "/correlation/fields";
            if (valueNames.isEmpty() || valueNames.contains("")) {
                errors.add(doc.error(where, type == CorrelationRule.Type.VALUE_COUNT
                        ? "value_count needs condition.field, the field whose distinct values are counted"
                        : "first_seen needs 'fields', the field(s) whose new values alert"));
            }
            for (String name : valueNames) {
                try {
                    valueFields.add(EventField.of(name));
                } catch (IllegalArgumentException e) {
                    errors.add(doc.error(where, e.getMessage()));
                }
            }
        }
        if (errors.size() > before) {
            return null;
        }
        return new CorrelationRule(definition, type, rules, false, groupBy, valueFields, valueNames, timespan, learning,
                threshold, doc.root().path("description").asText(""));
    }

    /**
     * The group-by fields for each base rule. A name under {@code aliases} stands for a different field in each
     * base rule (Sigma's aliases: the pod a create names in requestObject.metadata.name is the objectRef.name of
     * a later exec); any other name is a field path.
     */
    static Map<String, List<EventField>> groupBy(YamlDocument doc, JsonNode correlation,
                                                         List<CorrelationRule.Base> rules, List<RuleError> errors) {
        Map<String, List<EventField>> perRule = new LinkedHashMap<>();
        rules.forEach(r -> perRule.put(r.rule().id(), new ArrayList<>()));
        JsonNode names = correlation.path("group-by");
        JsonNode aliases = correlation.path("aliases");
        if (names.isMissingNode()) {
            return perRule;
        }
        if (!names.isArray()) {
            errors.add(doc.error("/correlation/group-by", "a list of field names or aliases"));
            return perRule;
        }
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i).asText();
            JsonNode alias = aliases.path(name);
            for (CorrelationRule.Base rule : rules) {
                String path = alias.isObject() ? alias.path(rule.rule().id()).asText("") : name;
                String where = alias.isObject() ? "/correlation/aliases/" + YamlDocument.escape(name) : "/correlation/group-by/" + i;
                if (path.isEmpty()) {
                    errors.add(doc.error(where, "alias '" + name + "' names no field for rule '" + rule.rule().id() + "'"));
                    continue;
                }
                try {
                    perRule.get(rule.rule().id()).add(EventField.of(path));
                } catch (IllegalArgumentException e) {
                    errors.add(doc.error(where, e.getMessage()));
                }
            }
        }
        return perRule;
    }

    /** Sigma's durations: a number and s, m, h, d or w. */
    static long duration(YamlDocument doc, String pointer, JsonNode value, List<RuleError> errors) {
        java.util.regex.Matcher m = TIMESPAN.matcher(value.asText(""));
        if (!m.matches()) {
            errors.add(doc.error(pointer, "a duration is a number and s, m, h, d or w (e.g. 10m), not '"
                    + value.asText("") + "'"));
            return 0;
        }
        long unit = switch (m.group(2)) {
            case "s" -> 1_000L;
            case "m" -> 60_000L;
            case "h" -> 3_600_000L;
            case "d" -> 86_400_000L;
            default -> 7 * 86_400_000L;
        };
        return Long.parseLong(m.group(1)) * unit;
    }

    private CorrelationCompiler() {
    }
}
