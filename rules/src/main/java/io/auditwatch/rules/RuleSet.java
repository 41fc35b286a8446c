package io.auditwatch.rules;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditwatch.alert.Level;
import io.auditwatch.engine.AnalysisRule;
import io.auditwatch.engine.AnalysisRules;
import io.auditwatch.engine.Correlation;
import io.auditwatch.engine.Detection;
import io.auditwatch.engine.Engine;
import io.auditwatch.engine.RuleDefinition;
import io.auditwatch.event.AuditEvent;
import io.auditwatch.nodegraph.NodeRules;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Rule files loaded, validated and compiled. A file holds one or more YAML documents; each is a rule (Sigma's
 * shape), a named list ({@code list:}) or a macro ({@code macro:}, a named selection any rule's condition can
 * use). Lists and macros are shared by all files of a set. Every error of every file is collected and
 * reported with file, line and field; a set with errors is not loaded at all.
 */
public final class RuleSet implements AnalysisRules {
    /** Where the default pack lives on the classpath; {@code index.txt} lists its files in load order. */
    public static final String DEFAULT_PACK = "/io/auditwatch/rules/pack/";

    private static final Set<String> RULE_KEYS = Set.of("title", "id", "name", "status", "description",
            "references", "author", "date", "modified", "tags", "logsource", "detection", "falsepositives", "level",
            "fields", "related", "license", "taxonomy", "scope",
            // ours
            "equivalents", "summary", "explanation", "exceptions", "enabled", "target");
    private static final Set<String> ANALYSIS_KEYS = Set.of("title", "id", "status", "description", "references",
            "author", "date", "modified", "tags", "logsource", "falsepositives", "level", "license", "equivalents",
            "exceptions", "enabled", "analysis");
    /**
     * The analyses whose rules are written in Java and defined and tuned through a document that names them;
     * {@value #ENGINE} is the rule engine itself, running a single-event detection written in Java.
     */
    private static final Set<String> ANALYSES = Set.of("node-graph", "token-sources", "engine");
    private static final String ENGINE = "engine";
    private static final Set<String> CORRELATION_KEYS = Set.of("title", "id", "name", "status", "description",
            "references", "author", "date", "modified", "tags", "falsepositives", "level", "related", "license",
            "correlation", "generate", "equivalents", "enabled");
    private static final Pattern TIMESPAN = Pattern.compile("(\\d+)([smhdw])");
    private static final Set<String> STATUSES = Set.of("stable", "test", "experimental", "deprecated", "unsupported");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");
    private static final Pattern EQUIVALENT = Pattern.compile("(falco|sigma|elastic|panther):\\S.*");
    private static final String DEFAULT_SUMMARY = ": {verb} {requestURI} by {user.username}";

    private final List<Detection> detections;
    private final List<Detection> all;
    private final List<Correlation> correlations;
    private final List<Correlation> allCorrelations;
    /** The analyses' rules by id, in load order; {@link #analyses} names the analysis of each. */
    private final Map<String, AnalysisRule> analysisRules;
    private final Map<String, String> analyses;

    private RuleSet(List<Detection> detections, List<Detection> all, List<Correlation> correlations,
                    List<Correlation> allCorrelations, Map<String, AnalysisRule> analysisRules, Map<String, String> analyses) {
        this.detections = List.copyOf(detections);
        this.all = List.copyOf(all);
        this.correlations = List.copyOf(correlations);
        this.allCorrelations = List.copyOf(allCorrelations);
        this.analysisRules = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(analysisRules));
        this.analyses = Map.copyOf(analyses);
    }

    /**
     * The rule {@code id} of an analysis (the node graph's, the token sources'), as this set defines it, or as the
     * default pack does when this set does not: a replay given its own rule files still runs the analyses.
     */
    @Override
    public AnalysisRule rule(String id) {
        AnalysisRule rule = analysisRules.get(id);
        if (rule == null && this != Pack.DEFAULT) {
            rule = Pack.DEFAULT.analysisRules.get(id);
        }
        if (rule == null) {
            throw new IllegalArgumentException("no rule document defines the analysis rule '" + id + "'");
        }
        return rule;
    }

    /** The rules of the analyses ({@code analysis: node-graph} or {@code token-sources} documents) by id, in load order. */
    public Map<String, AnalysisRule> analysisRules() {
        return analysisRules;
    }

    /** One detection of the catalogue: its definition, what raises it, and whether it runs. */
    public record Entry(RuleDefinition rule, String kind, boolean enabled) {
    }

    /**
     * Every detection of this set, whatever raises it, disabled ones too: rules (those written in Java as well),
     * correlations, then the analyses' rules, each in load order. What {@code rules list}, {@code rules test} and the
     * coverage table show.
     */
    public List<Entry> catalogue() {
        List<Entry> out = new ArrayList<>();
        all.forEach(d -> out.add(new Entry(d.rule(), "rule", detections.contains(d))));
        allCorrelations.forEach(c -> out.add(new Entry(c.rule(), "correlation", correlations.contains(c))));
        analysisRules.values().forEach(a -> out.add(new Entry(a.definition(), analyses.get(a.definition().id()), a.enabled())));
        return out;
    }

    /** The engine that runs the enabled rules and correlations of this set (and nothing else). */
    public Engine engine(Duration requestMemory) {
        return new Engine(detections, correlations, requestMemory);
    }

    /** The enabled correlation rules, in load order. */
    public List<Correlation> correlations() {
        return correlations;
    }

    /**
     * {@code correlation} after the correlations it counts (and those they count), in the order they must run: what
     * an engine needs to run it alone.
     */
    public List<Correlation> withCountedCorrelations(Correlation correlation) {
        List<Correlation> chain = new ArrayList<>();
        addWithCounted(correlation, chain);
        return chain;
    }

    private void addWithCounted(Correlation correlation, List<Correlation> chain) {
        if (correlation instanceof CorrelationRule rule) {
            for (String base : rule.correlationBases()) {
                allCorrelations.stream().filter(c -> c.rule().id().equals(base)).findFirst()
                        .ifPresent(c -> addWithCounted(c, chain));
            }
        }
        if (!chain.contains(correlation)) {
            chain.add(correlation);
        }
    }

    /** Every correlation rule, disabled ones too. */
    public List<Correlation> allCorrelations() {
        return allCorrelations;
    }

    /** The enabled rules, in load order. */
    public List<Detection> detections() {
        return detections;
    }

    /** Every rule, disabled ones too (for listing and testing them). */
    public List<Detection> all() {
        return all;
    }

    /** The default pack, from this module's resources (compiled once: a rule set does not change). */
    public static RuleSet defaults() {
        return Pack.DEFAULT;
    }

    /** Holds the default pack, compiled when first asked for. */
    private static final class Pack {
        static final RuleSet DEFAULT = compileDefaults();
    }

    private static RuleSet compileDefaults() {
        try {
            return compile(defaultSources());
        } catch (RuleException e) {
            throw new IllegalStateException("the default rule pack does not load:\n" + e.getMessage(), e);
        }
    }

    /** The default pack's files, in load order. */
    public static List<Source> defaultSources() {
        List<Source> sources = new ArrayList<>();
        for (String name : resource(DEFAULT_PACK + "index.txt").split("\n")) {
            if (!name.isBlank() && !name.startsWith("#")) {
                sources.add(new Source(DEFAULT_PACK.substring(1) + name.trim(), resource(DEFAULT_PACK + name.trim())));
            }
        }
        return sources;
    }

    /**
     * Rule files and directories (searched for {@code *.yml} and {@code *.yaml}), with the default pack's lists
     * and macros ({@code allowed}, {@code human_user}, ...) in scope, as on a detector: a file may use them, and
     * a list or macro it defines replaces the pack's of that name. The pack's rules are not loaded.
     */
    public static RuleSet load(List<Path> paths) throws RuleException {
        List<YamlDocument> own = parse(sources(paths));
        java.util.Set<String> defined = new java.util.HashSet<>();
        own.forEach(doc -> defined.add(sharedName(doc)));
        List<YamlDocument> documents = new ArrayList<>();
        for (YamlDocument doc : parse(defaultSources())) {
            String name = sharedName(doc);
            if (name != null && !defined.contains(name)) {
                documents.add(doc);
            }
        }
        documents.addAll(own);
        return compileDocuments(documents);
    }

    /** {@code list:NAME} or {@code macro:NAME} for a list or macro document, else null. */
    private static String sharedName(YamlDocument doc) {
        JsonNode root = doc.root();
        if (root.has("list")) {
            return "list:" + root.path("list").asText();
        }
        return root.has("macro") ? "macro:" + root.path("macro").asText() : null;
    }

    /** The rule files among {@code paths} (directories are searched for {@code *.yml} and {@code *.yaml}), read. */
    public static List<Source> sources(List<Path> paths) throws RuleException {
        List<Source> sources = new ArrayList<>();
        List<RuleError> errors = new ArrayList<>();
        for (Path path : paths) {
            List<Path> files;
            if (Files.isDirectory(path)) {
                try (Stream<Path> walk = Files.walk(path)) {
                    files = walk.filter(Files::isRegularFile)
                            .filter(f -> f.toString().endsWith(".yml") || f.toString().endsWith(".yaml"))
                            .sorted().toList();
                } catch (IOException e) {
                    errors.add(new RuleError(path.toString(), 0, null, "cannot read directory: " + e.getMessage()));
                    continue;
                }
            } else {
                files = List.of(path);
            }
            for (Path file : files) {
                try {
                    sources.add(new Source(file.toString(), Files.readString(file, StandardCharsets.UTF_8)));
                } catch (IOException e) {
                    errors.add(new RuleError(file.toString(), 0, null, "cannot read: " + e));
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new RuleException(errors);
        }
        return sources;
    }

    /** A rule file's name (for errors) and text. */
    public record Source(String file, String text) {
    }

    public static RuleSet compile(List<Source> sources) throws RuleException {
        return compileDocuments(parse(sources));
    }

    private static List<YamlDocument> parse(List<Source> sources) throws RuleException {
        List<RuleError> errors = new ArrayList<>();
        List<YamlDocument> documents = new ArrayList<>();
        for (Source source : sources) {
            try {
                documents.addAll(YamlDocument.parse(source.file(), source.text()));
            } catch (RuleException e) {
                errors.addAll(e.errors());
            }
        }
        if (!errors.isEmpty()) {
            throw new RuleException(errors);
        }
        return documents;
    }

    /** Parsed documents (rules, correlations, lists, macros) compiled as one set. */
    public static RuleSet compileDocuments(List<YamlDocument> documents) throws RuleException {
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
                macros.put(name, selection(doc, "/selection", doc.root().path("selection"), lists));
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
            CorrelationRule correlation = correlation(doc, byRef, earlier, lists, errors);
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
    private record ExceptedDetection(Detection logic, java.util.function.Predicate<AuditEvent> exception) implements Detection {
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
    private static AnalysisRule analysisRule(YamlDocument doc, Map<String, List<String>> lists, List<RuleError> errors) {
        int before = errors.size();
        RuleDefinition definition = definition(doc, lists, errors);
        JsonNode root = doc.root();
        String analysis = root.path("analysis").asText("");
        if (!ANALYSES.contains(analysis)) {
            errors.add(doc.error("/analysis", "unknown analysis '" + analysis + "' (" + new java.util.TreeSet<>(ANALYSES) + ")"));
        }
        Match exception = null;
        try {
            exception = exceptions(doc, lists);
        } catch (RuleException e) {
            errors.addAll(e.errors());
        }
        if (errors.size() > before || definition.id() == null || definition.title() == null || definition.level() == null) {
            return null;
        }
        return new AnalysisRule(definition, root.path("enabled").asBoolean(true),
                exception == null ? event -> false : exception::test);
    }

    /** A rule's exceptions as one match (any of them), or null if it has none. */
    private static Match exceptions(YamlDocument doc, Map<String, List<String>> lists) throws RuleException {
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

    private static void readList(YamlDocument doc, Map<String, List<String>> lists, List<RuleError> errors) {
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

    private static CompiledRule rule(YamlDocument doc, Map<String, List<String>> lists, Map<String, Match> macros,
                                     List<RuleError> errors) {
        JsonNode root = doc.root();
        RuleDefinition definition = definition(doc, lists, errors);
        String title = definition.title();
        Match match = null;
        try {
            match = detection(doc, root.path("detection"), lists, macros);
            Match excluded = exceptions(doc, lists);
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

    /** What every rule and correlation has: id, title, level, tags, equivalents (fields null where invalid). */
    private static RuleDefinition definition(YamlDocument doc, Map<String, List<String>> lists, List<RuleError> errors) {
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
    private static void equivalents(YamlDocument doc, Map<String, List<String>> lists, List<String> names,
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
                    Match match = selection(doc, pointer + "/when", entry.path("when"), lists);
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

    private static CorrelationRule correlation(YamlDocument doc, Map<String, Detection> bases,
                                               Map<String, CorrelationRule> earlier, Map<String, List<String>> lists,
                                               List<RuleError> errors) {
        int before = errors.size();
        RuleDefinition definition = definition(doc, lists, errors);
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
    private static Map<String, List<EventField>> groupBy(YamlDocument doc, JsonNode correlation,
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
    private static long duration(YamlDocument doc, String pointer, JsonNode value, List<RuleError> errors) {
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

    private static Match detection(YamlDocument doc, JsonNode detection, Map<String, List<String>> lists,
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
    private static Match selection(YamlDocument doc, String pointer, JsonNode node, Map<String, List<String>> lists)
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

    private static String requireText(YamlDocument doc, String key, List<RuleError> errors) {
        JsonNode value = doc.root().path(key);
        if (!value.isValueNode() || value.isNull() || value.asText().isBlank()) {
            errors.add(doc.error("/" + key, "'" + key + "' is required (a non-empty string)"));
            return null;
        }
        return value.asText().strip();
    }

    private static List<String> strings(YamlDocument doc, String key, List<RuleError> errors) {
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

    private static String resource(String name) {
        try (InputStream in = RuleSet.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
