package io.auditwatch.language;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditwatch.alert.Alert;
import io.auditwatch.engine.Analysis;
import io.auditwatch.engine.AnalysisRule;
import io.auditwatch.engine.AnalysisRules;
import io.auditwatch.engine.Engine;
import io.auditwatch.event.AuditEvent;
import io.auditwatch.state.ExpiringState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The rules in force: a base set (the default pack) with the changes a SOC made at run time through the
 * {@code auditwatch.rules} topic, keyed by rule id. A value is a whole rule (a YAML document with a title,
 * whose id must be the key), a patch of a few settings ({@value #PATCH_KEYS_TEXT}), or, under the key
 * {@code list:<name>}, a whole named list; null (a tombstone) restores the base version. A change that does not
 * compile is rejected and the last good rules stay. The engine is swapped atomically; its state is the host's
 * and keyed by rule id, so the state of unchanged rules survives a change to another rule.
 */
public final class TunedRules implements Analysis, AnalysisRules {
    static final String PATCH_KEYS_TEXT = "enabled, level, threshold, timespan, exceptions";
    private static final Set<String> PATCH_KEYS = Set.of("enabled", "level", "threshold", "timespan", "exceptions");
    private static final String LIST_PREFIX = "list:";

    /** What became of one change; {@code reason} is null when it was accepted. */
    public record Change(String key, String action, boolean accepted, String reason) {
    }

    private final List<YamlDocument> base;
    private final Duration requestMemory;
    private final Map<String, YamlDocument> overrides = new LinkedHashMap<>();
    private volatile RuleSet rules;
    private volatile Engine engine;

    public TunedRules(List<RuleSources.Source> base, Duration requestMemory) throws RuleException {
        List<YamlDocument> documents = RuleSources.parse(base);
        this.base = List.copyOf(documents);
        this.requestMemory = requestMemory;
        install(RuleCompiler.compile(this.base));
    }

    /** The default pack, tunable. */
    public static TunedRules defaults(Duration requestMemory) {
        try {
            return new TunedRules(RuleSources.defaultSources(), requestMemory);
        } catch (RuleException e) {
            throw new IllegalStateException("the default rule pack does not load:\n" + e.getMessage(), e);
        }
    }

    /** Exactly the rules in these files and directories, nothing else. */
    public static TunedRules load(List<Path> paths, Duration requestMemory) throws RuleException {
        return new TunedRules(RuleSources.sources(paths), requestMemory);
    }

    public Engine engine() {
        return engine;
    }

    @Override
    public List<Alert> process(AuditEvent event, ExpiringState state) {
        return engine.process(event, state);
    }

    public RuleSet rules() {
        return rules;
    }

    @Override
    public AnalysisRule rule(String id) {
        return rules.rule(id);
    }

    /** Applies one record of {@code auditwatch.rules}: {@code value} null restores the base version of {@code key}. */
    public synchronized Change apply(String key, String value) {
        if (key == null || key.isBlank()) {
            return new Change(String.valueOf(key), "ignore", false, "a record needs a key: the rule id or list:<name>");
        }
        String where = "auditwatch.rules[" + key + "]";
        YamlDocument override = null;
        String action;
        if (value == null) {
            if (!overrides.containsKey(key)) {
                return new Change(key, "restore", true, null);
            }
            action = "restore";
        } else {
            List<YamlDocument> parsed;
            try {
                parsed = YamlDocument.parse(where, value);
            } catch (RuleException e) {
                return rejected(key, "set", e);
            }
            if (parsed.size() != 1 || !parsed.get(0).root().isObject()) {
                return new Change(key, "set", false, where + ": one YAML mapping per record");
            }
            override = parsed.get(0);
            action = override.root().has("title") || key.startsWith(LIST_PREFIX) ? "replace" : "patch";
            String problem = check(key, override, action);
            if (problem != null) {
                return new Change(key, action, false, where + ": " + problem);
            }
        }
        Map<String, YamlDocument> next = new LinkedHashMap<>(overrides);
        if (override == null) {
            next.remove(key);
        } else {
            next.put(key, override);
        }
        try {
            install(RuleCompiler.compile(documents(next)));
        } catch (RuleException e) {
            return rejected(key, action, e);
        } catch (IllegalArgumentException e) {
            return new Change(key, action, false, where + ": " + e.getMessage());
        }
        overrides.clear();
        overrides.putAll(next);
        return new Change(key, action, true, null);
    }

    private static Change rejected(String key, String action, RuleException e) {
        return new Change(key, action, false, String.join("; ", e.errors().stream().map(RuleError::toString).toList()));
    }

    private void install(RuleSet compiled) {
        rules = compiled;
        engine = compiled.engine(requestMemory);
    }

    private static String check(String key, YamlDocument override, String action) {
        JsonNode root = override.root();
        if (key.startsWith(LIST_PREFIX)) {
            String name = key.substring(LIST_PREFIX.length());
            return name.equals(root.path("list").asText()) ? null
                    : "a list record's value is 'list: " + name + "' with its 'items'";
        }
        if (action.equals("replace")) {
            return key.equals(root.path("id").asText()) ? null
                    : "the key is '" + key + "' but the rule's id is '" + root.path("id").asText() + "'";
        }
        if (root.has("id") && !key.equals(root.path("id").asText())) {
            return "the key is '" + key + "' but the patch's id is '" + root.path("id").asText() + "'";
        }
        Set<String> unknown = new TreeSet<>();
        root.fieldNames().forEachRemaining(f -> {
            if (!PATCH_KEYS.contains(f) && !f.equals("id")) {
                unknown.add(f);
            }
        });
        return unknown.isEmpty() ? null : "not a rule (no title) and not a patch: " + unknown
                + " (a patch sets " + PATCH_KEYS_TEXT + ")";
    }

    /** The base documents with the overrides applied: replaced, patched, or appended when new. */
    private List<YamlDocument> documents(Map<String, YamlDocument> changes) {
        Map<String, YamlDocument> pending = new LinkedHashMap<>(changes);
        List<YamlDocument> out = new ArrayList<>();
        for (YamlDocument doc : base) {
            String key = doc.root().has("list") ? LIST_PREFIX + doc.root().path("list").asText()
                    : doc.root().path("id").asText(null);
            YamlDocument change = key == null ? null : pending.remove(key);
            if (change == null) {
                out.add(doc);
            } else if (change.root().has("title") || key.startsWith(LIST_PREFIX)) {
                out.add(change);
            } else {
                out.add(patched(doc, change));
            }
        }
        for (Map.Entry<String, YamlDocument> change : pending.entrySet()) {
            if (!change.getValue().root().has("title") && !change.getKey().startsWith(LIST_PREFIX)) {
                throw new IllegalArgumentException("no rule '" + change.getKey() + "' to patch");
            }
            out.add(change.getValue());
        }
        return out;
    }

    /** A record for auditwatch.rules: its key and the YAML text of one document. */
    public record Record(String key, String value) {
    }

    /**
     * The records that push {@code text}, a rule file of one or more documents: each document under its id (a
     * rule, a correlation, or a patch that names the rule it patches with {@code id}), a list under
     * {@code list:<name>}.
     */
    public static List<Record> records(String file, String text) throws RuleException {
        List<Record> records = new ArrayList<>();
        List<RuleError> errors = new ArrayList<>();
        for (String part : text.split("(?m)^---[ \\t]*$")) {
            if (part.isBlank() || part.lines().allMatch(l -> l.isBlank() || l.strip().startsWith("#"))) {
                continue;
            }
            List<YamlDocument> docs = YamlDocument.parse(file, part);
            for (YamlDocument doc : docs) {
                JsonNode root = doc.root();
                String key = root.has("list") ? LIST_PREFIX + root.path("list").asText() : root.path("id").asText("");
                if (key.isEmpty()) {
                    errors.add(doc.error("", "a document to push needs an id (or is a list)"));
                } else {
                    records.add(new Record(key, part.strip() + "\n"));
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new RuleException(errors);
        }
        return records;
    }

    private static YamlDocument patched(YamlDocument doc, YamlDocument patch) {
        ObjectNode root = doc.root().deepCopy();
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.root().fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> setting = it.next();
            switch (setting.getKey()) {
                case "threshold" -> {
                    if (!root.has("correlation")) {
                        throw new IllegalArgumentException("'threshold' applies to correlation rules only");
                    }
                    ObjectNode condition = ((ObjectNode) root.path("correlation")).putObject("condition");
                    JsonNode field = doc.root().path("correlation").path("condition").path("field");
                    condition.set("gte", setting.getValue());
                    if (!field.isMissingNode()) {
                        condition.set("field", field);
                    }
                }
                case "timespan" -> {
                    if (!root.has("correlation")) {
                        throw new IllegalArgumentException("'timespan' applies to correlation rules only");
                    }
                    ((ObjectNode) root.path("correlation")).set("timespan", setting.getValue());
                }
                case "id" -> { }
                default -> root.set(setting.getKey(), setting.getValue());
            }
        }
        return new YamlDocument(doc.file() + " (tuned)", root, doc.lines());
    }
}
