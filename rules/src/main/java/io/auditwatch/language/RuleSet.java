package io.auditwatch.language;

import io.auditwatch.engine.AnalysisRule;
import io.auditwatch.engine.AnalysisRules;
import io.auditwatch.engine.Correlation;
import io.auditwatch.engine.Detection;
import io.auditwatch.engine.Engine;
import io.auditwatch.engine.RuleDefinition;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A compiled set of rule files: its rules (those written in Java too), correlations and analysis rules, and the
 * catalogue of them all. A file holds one or more YAML documents; each is a rule (Sigma's shape), a correlation, an
 * analysis rule ({@code analysis:}), a named list ({@code list:}) or a macro ({@code macro:}, a named selection any
 * rule's condition can use). Lists and macros are shared by all files of a set. Every error of every file is
 * collected and reported with file, line and field ({@link RuleSources} reads, {@link RuleCompiler} compiles); a set
 * with errors is not loaded at all.
 */
public final class RuleSet implements AnalysisRules {
    private final List<Detection> detections;
    private final List<Detection> all;
    private final List<Correlation> correlations;
    private final List<Correlation> allCorrelations;
    /** The analyses' rules by id, in load order; {@link #analyses} names the analysis of each. */
    private final Map<String, AnalysisRule> analysisRules;
    private final Map<String, String> analyses;

    RuleSet(List<Detection> detections, List<Detection> all, List<Correlation> correlations,
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
            return compile(RuleSources.defaultSources());
        } catch (RuleException e) {
            throw new IllegalStateException("the default rule pack does not load:\n" + e.getMessage(), e);
        }
    }

    /**
     * Rule files and directories (searched for {@code *.yml} and {@code *.yaml}), with the default pack's lists
     * and macros ({@code allowed}, {@code human_user}, ...) in scope, as on a detector: a file may use them, and
     * a list or macro it defines replaces the pack's of that name. The pack's rules are not loaded.
     */
    public static RuleSet load(List<Path> paths) throws RuleException {
        List<YamlDocument> own = RuleSources.parse(RuleSources.sources(paths));
        java.util.Set<String> defined = new java.util.HashSet<>();
        own.forEach(doc -> defined.add(RuleSources.sharedName(doc)));
        List<YamlDocument> documents = new ArrayList<>();
        for (YamlDocument doc : RuleSources.parse(RuleSources.defaultSources())) {
            String name = RuleSources.sharedName(doc);
            if (name != null && !defined.contains(name)) {
                documents.add(doc);
            }
        }
        documents.addAll(own);
        return RuleCompiler.compile(documents);
    }

    /** These files, compiled as one set (without the default pack's lists and macros). */
    public static RuleSet compile(List<RuleSources.Source> sources) throws RuleException {
        return RuleCompiler.compile(RuleSources.parse(sources));
    }

}
