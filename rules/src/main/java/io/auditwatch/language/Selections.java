package io.auditwatch.language;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Selections, conditions and exceptions of a rule document, compiled into matches over an event. */
final class Selections {
    static Match detection(YamlDocument doc, JsonNode detection, Map<String, List<String>> lists,
                                   Map<String, Match> macros) throws RuleException {
        if (!detection.isObject()) {
            throw new RuleException(List.of(doc.error("/detection", "a rule needs 'detection', a mapping of named"
                    + " selections and a 'condition'")));
        }
        List<RuleError> errors = new ArrayList<>();
        Map<String, Match> selections = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = detection.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (entry.getKey().equals("condition") || entry.getKey().equals("timeframe")) {
                continue;
            }
            try {
                selections.put(entry.getKey(), selection(doc, "/detection/" + YamlDocument.escape(entry.getKey()),
                        entry.getValue(), lists));
            } catch (RuleException e) {
                errors.addAll(e.errors());
            }
        }
        if (!errors.isEmpty()) {
            throw new RuleException(errors);
        }
        JsonNode condition = detection.path("condition");
        List<String> conditions = new ArrayList<>();
        if (condition.isTextual()) {
            conditions.add(condition.asText());
        } else if (condition.isArray() && !condition.isEmpty()) {
            condition.forEach(c -> conditions.add(c.asText()));
        } else {
            throw new RuleException(List.of(doc.error("/detection/condition", "a detection needs a 'condition'")));
        }
        List<Match> any = new ArrayList<>();
        for (String text : conditions) {
            try {
                any.add(Condition.compile(text, selections, macros));
            } catch (IllegalArgumentException e) {
                throw new RuleException(List.of(doc.error("/detection/condition", e.getMessage())));
            }
        }
        return Match.or(any);
    }

    /** A selection: a mapping (every field clause holds) or a list of mappings (any of them holds). */
    static Match selection(YamlDocument doc, String pointer, JsonNode node, Map<String, List<String>> lists)
            throws RuleException {
        if (node.isArray()) {
            List<Match> any = new ArrayList<>();
            List<RuleError> errors = new ArrayList<>();
            for (int i = 0; i < node.size(); i++) {
                if (!node.get(i).isObject()) {
                    errors.add(doc.error(pointer + "/" + i, "keyword searches are not supported: name the field"
                            + " (e.g. requestURI|contains: ...)"));
                    continue;
                }
                try {
                    any.add(selection(doc, pointer + "/" + i, node.get(i), lists));
                } catch (RuleException e) {
                    errors.addAll(e.errors());
                }
            }
            if (!errors.isEmpty()) {
                throw new RuleException(errors);
            }
            if (any.isEmpty()) {
                throw new RuleException(List.of(doc.error(pointer, "empty selection")));
            }
            return Match.or(any);
        }
        if (!node.isObject() || node.isEmpty()) {
            throw new RuleException(List.of(doc.error(pointer, "a selection is a mapping of field: value(s)"
                    + " or a list of such mappings")));
        }
        List<Match> all = new ArrayList<>();
        List<RuleError> errors = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            try {
                all.add(FieldClause.compile(entry.getKey(), entry.getValue(), lists));
            } catch (IllegalArgumentException e) {
                errors.add(doc.error(pointer + "/" + YamlDocument.escape(entry.getKey()), e.getMessage()));
            }
        }
        if (!errors.isEmpty()) {
            throw new RuleException(errors);
        }
        return Match.and(all);
    }

    /** A rule's exceptions as one match (any of them), or null if it has none. */
    static Match exceptions(YamlDocument doc, Map<String, List<String>> lists) throws RuleException {
        JsonNode exceptions = doc.root().path("exceptions");
        if (exceptions.isMissingNode()) {
            return null;
        }
        if (!exceptions.isArray()) {
            throw new RuleException(List.of(doc.error("/exceptions", "exceptions are a list of selections")));
        }
        List<Match> excluded = new ArrayList<>();
        for (int i = 0; i < exceptions.size(); i++) {
            excluded.add(selection(doc, "/exceptions/" + i, exceptions.get(i), lists));
        }
        return excluded.isEmpty() ? null : Match.or(excluded);
    }

    private Selections() {
    }
}
