package io.auditwatch.language;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditwatch.engine.AnalysisRule;
import io.auditwatch.engine.Correlation;
import io.auditwatch.engine.Detection;
import io.auditwatch.engine.RuleDefinition;
import io.auditwatch.event.AuditEvent;
import io.auditwatch.nodegraph.NodeRules;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compiles parsed documents (rules, correlations, analysis rules, lists, macros) into one {@link RuleSet}, or fails
 * with every error of every document.
 */
final class RuleCompiler {
    /**
     * The analyses whose rules are written in Java and defined and tuned through a document that names them;
     * {@value #ENGINE} is the rule engine itself, running a single-event detection written in Java.
     */
    static final Set<String> ANALYSES = Set.of("node-graph", "token-sources", "engine");

    static final String ENGINE = "engine";

    static final String DEFAULT_SUMMARY = ": {verb} {requestURI} by {user.username}";

    /** Parsed documents (rules, correlations, lists, macros) compiled as one set. */
    static RuleSet compile(List<YamlDocument> documents) throws RuleException {
        List<RuleError> errors = new ArrayList<>();
        Map<String, List<String>> lists = new LinkedHashMap<>();
        List<YamlDocument> macroDocs = new ArrayList<>();
        List<YamlDocument> ruleDocs = new ArrayList<>();
        List<YamlDocument> correlationDocs = new ArrayList<>();
        List<YamlDocument> analysisDocs = new ArrayList<>();
        for (YamlDocument doc : documents) {
            JsonNode root = doc.root();
            List<RuleError> shape = root.isObject() ? RuleSchema.check(doc) : List.of();
            if (!root.isObject()) {
                errors.add(doc.error("", "a rule file document must be a mapping"));
            } else if (!shape.isEmpty()) {
                errors.addAll(shape);
            } else if (root.has("list")) {
                readList(doc, lists, errors);
            } else if (root.has("macro")) {
                macroDocs.add(doc);
            } else if (root.has("correlation")) {
                correlationDocs.add(doc);
            } else if (root.has("analysis")) {
                analysisDocs.add(doc);
            } else {
                ruleDocs.add(doc);
            }
        }
        Map<String, Match> macros = new LinkedHashMap<>();
        for (YamlDocument doc : macroDocs) {
            String name = doc.root().path("macro").asText("");
            if (name.isEmpty() || macros.containsKey(name)) {
                errors.add(doc.error("/macro", name.isEmpty() ? "a macro needs a name" : "duplicate macro '" + name + "'"));
                continue;
            }
            try {
                macros.put(name, Selections.selection(doc, "/selection", doc.root().path("selection"), lists));
            } catch (RuleException e) {
                errors.addAll(e.errors());
            }
        }
        List<Detection> detections = new ArrayList<>();
        List<Detection> all = new ArrayList<>();
        Map<String, Detection> byRef = new LinkedHashMap<>();
        Map<String, String> seen = new LinkedHashMap<>();
        for (YamlDocument doc : ruleDocs) {
            int before = errors.size();
            CompiledRule rule = rule(doc, lists, macros, errors);
            if (rule == null || errors.size() > before) {
                continue;
            }
            String previous = seen.putIfAbsent(rule.rule().id(), doc.file() + ":" + doc.line("/id"));
            if (previous != null) {
                errors.add(doc.error("/id", "duplicate id '" + rule.rule().id() + "' (first at " + previous + ")"));
                continue;
            }
            all.add(rule);
            byRef.put(rule.rule().id(), rule);
            if (doc.root().has("name")) {
                byRef.putIfAbsent(doc.root().path("name").asText(), rule);
            }
            if (doc.root().path("enabled").asBoolean(true)) {
                detections.add(rule);
            }
        }
        Map<String, CorrelationRule> earlier = new LinkedHashMap<>();
        List<CorrelationRule> compiled = new ArrayList<>();
        Set<String> enabled = new java.util.HashSet<>();
        for (YamlDocument doc : correlationDocs) {
            CorrelationRule correlation = CorrelationCompiler.correlation(doc, byRef, earlier, lists, errors);
            if (correlation == null) {
                continue;
            }
            String previous = seen.putIfAbsent(correlation.rule().id(), doc.file() + ":" + doc.line("/id"));
            if (previous != null) {
                errors.add(doc.error("/id", "duplicate id '" + correlation.rule().id() + "' (first at " + previous + ")"));
                continue;
            }
            compiled.add(correlation);
            earlier.put(correlation.rule().id(), correlation);
            if (doc.root().has("name")) {
                earlier.putIfAbsent(doc.root().path("name").asText(), correlation);
            }
            if (doc.root().path("enabled").asBoolean(true)) {
                enabled.add(correlation.rule().id());
            }
        }
        // A disabled correlation that an enabled one counts still runs, silently, ahead of it.
        Set<String> needed = new java.util.HashSet<>(enabled);
        for (int i = compiled.size() - 1; i >= 0; i--) {
            if (needed.contains(compiled.get(i).rule().id())) {
                needed.addAll(compiled.get(i).correlationBases());
            }
        }
        List<Correlation> correlations = new ArrayList<>();
        for (CorrelationRule correlation : compiled) {
            if (enabled.contains(correlation.rule().id())) {
                correlations.add(correlation);
            } else if (needed.contains(correlation.rule().id())) {
                correlations.add(correlation.feeding());
            }
        }
        List<Correlation> allCorrelations = new ArrayList<>(compiled);
        Map<String, AnalysisRule> analysisRules = new LinkedHashMap<>();
        Map<String, String> analyses = new LinkedHashMap<>();
        for (YamlDocument doc : analysisDocs) {
            AnalysisRule tuned = analysisRule(doc, lists, errors);
            if (tuned == null) {
                continue;
            }
            String id = tuned.definition().id();
            String previous = seen.putIfAbsent(id, doc.file() + ":" + doc.line("/id"));
            if (previous != null) {
                errors.add(doc.error("/id", "duplicate id '" + id + "' (first at " + previous + ")"));
                continue;
            }
            String analysis = doc.root().path("analysis").asText();
            if (!analysis.equals(ENGINE)) {
                analysisRules.put(id, tuned);
                analyses.put(id, analysis);
                continue;
            }
            java.util.function.Function<RuleDefinition, Detection> logic = NodeRules.DETECTIONS.get(id);
            if (logic == null) {
                errors.add(doc.error("/id", "no detection written in Java has the id '" + id + "' ("
                        + new java.util.TreeSet<>(NodeRules.DETECTIONS.keySet()) + ")"));
                continue;
            }
            Detection detection = new ExceptedDetection(logic.apply(tuned.definition()), tuned.exception());
            all.add(detection);
            if (tuned.enabled()) {
                detections.add(detection);
            }
        }
        if (!errors.isEmpty()) {
            throw new RuleException(errors);
        }
        return new RuleSet(detections, all, correlations, allCorrelations, analysisRules, analyses);
    }

    /** A detection written in Java with the exceptions of its rule document. */
    record ExceptedDetection(Detection logic, java.util.function.Predicate<AuditEvent> exception) implements Detection {
        @Override
        public RuleDefinition rule() {
            return logic.rule();
        }

        @Override
        public boolean matches(AuditEvent event) {
            return logic.matches(event) && !exception.test(event);
        }

        @Override
        public String summary(AuditEvent event) {
            return logic.summary(event);
        }

        @Override
        public String explanation(AuditEvent event) {
            return logic.explanation(event);
        }

        @Override
        public Set<String> resources() {
            return logic.resources();
        }

        @Override
        public Set<String> verbs() {
            return logic.verbs();
        }

        @Override
        public boolean perWorkload() {
            return logic.perWorkload();
        }
    }

    /**
     * A rule whose logic is written in Java (the node graph's, the token sources', a single-event detection's): the
     * document defines it as any rule (id, title, level, tags, equivalents, description) with what a SOC tunes
     * (enabled, exceptions), and names the analysis that raises it.
     */
    static AnalysisRule analysisRule(YamlDocument doc, Map<String, List<String>> lists, List<RuleError> errors) {
        int before = errors.size();
        RuleDefinition definition = RuleDefinitions.definition(doc, lists, errors);
        JsonNode root = doc.root();
        String analysis = root.path("analysis").asText("");
        if (!ANALYSES.contains(analysis)) {
            errors.add(doc.error("/analysis", "unknown analysis '" + analysis + "' (" + new java.util.TreeSet<>(ANALYSES) + ")"));
        }
        Match exception = null;
        try {
            exception = Selections.exceptions(doc, lists);
        } catch (RuleException e) {
            errors.addAll(e.errors());
        }
        if (errors.size() > before || definition.id() == null || definition.title() == null || definition.level() == null) {
            return null;
        }
        return new AnalysisRule(definition, root.path("enabled").asBoolean(true),
                exception == null ? event -> false : exception::test);
    }

    static void readList(YamlDocument doc, Map<String, List<String>> lists, List<RuleError> errors) {
        String name = doc.root().path("list").asText("");
        JsonNode items = doc.root().path("items");
        if (name.isEmpty()) {
            errors.add(doc.error("/list", "a list needs a name"));
        } else if (lists.containsKey(name)) {
            errors.add(doc.error("/list", "duplicate list '" + name + "'"));
        } else if (!items.isArray() || items.isEmpty()) {
            errors.add(doc.error("/items", "a list needs 'items', a non-empty list of values"));
        } else {
            List<String> values = new ArrayList<>();
            items.forEach(i -> values.add(i.asText()));
            lists.put(name, List.copyOf(values));
        }
    }

    static CompiledRule rule(YamlDocument doc, Map<String, List<String>> lists, Map<String, Match> macros,
                                     List<RuleError> errors) {
        JsonNode root = doc.root();
        RuleDefinition definition = RuleDefinitions.definition(doc, lists, errors);
        String title = definition.title();
        Match match = null;
        try {
            match = Selections.detection(doc, root.path("detection"), lists, macros);
            Match excluded = Selections.exceptions(doc, lists);
            if (excluded != null) {
                match = Match.and(List.of(match, Match.not(excluded)));
            }
        } catch (RuleException e) {
            errors.addAll(e.errors());
        }
        Template summary = null;
        Template explanation = null;
        try {
            summary = root.has("summary") ? Template.compile(root.path("summary").asText())
                    : Template.compile(title == null ? "" : title, DEFAULT_SUMMARY);
        } catch (IllegalArgumentException e) {
            errors.add(doc.error("/summary", e.getMessage()));
        }
        try {
            explanation = root.has("explanation") ? Template.compile(root.path("explanation").asText().strip())
                    : Template.compile(root.path("description").asText(title == null ? "" : title).strip(), "");
        } catch (IllegalArgumentException e) {
            errors.add(doc.error("/explanation", e.getMessage()));
        }
        String target = root.path("target").asText("request");
        if (!target.equals("request") && !target.equals("workload")) {
            errors.add(doc.error("/target", "target is 'request' (the default) or 'workload'"));
        }
        if (definition.id() == null || title == null || definition.level() == null || match == null || summary == null
                || explanation == null) {
            return null;
        }
        return new CompiledRule(definition, match, summary, explanation, target.equals("workload"));
    }

    private RuleCompiler() {
    }
}
