package io.auditwatch.rules;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditwatch.alert.Alert;
import io.auditwatch.analyses.AnalysisConfig;
import io.auditwatch.engine.Analyses;
import io.auditwatch.engine.AnalysisRules;
import io.auditwatch.engine.Correlation;
import io.auditwatch.engine.Detection;
import io.auditwatch.engine.Engine;
import io.auditwatch.event.AuditEventReader;
import io.auditwatch.replay.Replay;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Runs a rule against its fixtures, {@code <dir>/<rule id>/positive.jsonl} and {@code negative.jsonl}, through
 * the replay host with the rule alone: every request of a single-event rule's positive file alerts once; a
 * correlation's positive file (a sequence) raises exactly one alert; negative files raise none.
 */
public final class RuleFixtures {
    private static final Duration MEMORY = Duration.ofHours(1);

    private RuleFixtures() {
    }

    /** The outcome for one rule: null {@code failure} when it passed. */
    public record Outcome(String ruleId, String failure) {
        public boolean passed() {
            return failure == null;
        }
    }

    /** Every rule of {@code rules} (disabled ones too) against its fixture directory under {@code root}. */
    public static List<Outcome> checkAll(RuleSet rules, Path root) throws IOException {
        List<Outcome> outcomes = new ArrayList<>();
        for (Detection rule : rules.all()) {
            outcomes.add(check(rule.rule().id(), new Engine(List.of(rule), MEMORY), false, root));
        }
        for (Correlation correlation : rules.allCorrelations()) {
            outcomes.add(check(correlation.rule().id(), correlationEngine(rules, correlation), true, root));
        }
        return outcomes;
    }

    /** Fixture directories under {@code root} that name no rule of {@code rules}. */
    public static Set<String> orphans(RuleSet rules, Path root) throws IOException {
        Set<String> ids = new TreeSet<>();
        rules.all().forEach(d -> ids.add(d.rule().id()));
        rules.allCorrelations().forEach(c -> ids.add(c.rule().id()));
        Set<String> orphans = new TreeSet<>();
        try (Stream<Path> dirs = Files.list(root)) {
            dirs.filter(Files::isDirectory).map(d -> d.getFileName().toString()).filter(d -> !ids.contains(d))
                    .forEach(orphans::add);
        }
        return orphans;
    }

    /** One rule, by id. */
    public static Outcome check(RuleSet rules, String id, Path root) throws IOException {
        Optional<Detection> rule = rules.all().stream().filter(d -> d.rule().id().equals(id)).findFirst();
        if (rule.isPresent()) {
            return check(id, new Engine(List.of(rule.get()), MEMORY), false, root);
        }
        Optional<Correlation> correlation = rules.allCorrelations().stream().filter(c -> c.rule().id().equals(id))
                .findFirst();
        if (correlation.isPresent()) {
            return check(id, correlationEngine(rules, correlation.get()), true, root);
        }
        return new Outcome(id, "no rule with this id");
    }

    /** The correlation with the correlations it counts (which run first); only its own alerts are looked at. */
    private static Engine correlationEngine(RuleSet rules, Correlation correlation) {
        List<Correlation> chain = new ArrayList<>();
        addWithBases(rules, correlation, chain);
        return new Engine(List.of(), chain, MEMORY);
    }

    private static void addWithBases(RuleSet rules, Correlation correlation, List<Correlation> chain) {
        if (correlation instanceof CorrelationRule rule) {
            for (String base : rule.correlationBases()) {
                rules.allCorrelations().stream().filter(c -> c.rule().id().equals(base)).findFirst()
                        .ifPresent(c -> addWithBases(rules, c, chain));
            }
        }
        if (!chain.contains(correlation)) {
            chain.add(correlation);
        }
    }

    /** The engine holds no state (each replay brings its own), so one engine serves both files. */
    private static Outcome check(String id, Engine engine, boolean isCorrelation, Path root) throws IOException {
        Path dir = root.resolve(id);
        Path positive = dir.resolve("positive.jsonl");
        Path negative = dir.resolve("negative.jsonl");
        if (!Files.isRegularFile(positive) || !Files.isRegularFile(negative)) {
            return new Outcome(id, "missing " + positive + " or " + negative);
        }
        try {
            List<Alert> fired = replay(id, engine, positive);
            if (isCorrelation) {
                if (fired.size() != 1) {
                    return new Outcome(id, "positive sequence raised " + fired.size() + " alerts, expected 1");
                }
            } else {
                Set<String> requests = requests(positive);
                Set<String> alerted = new TreeSet<>();
                fired.forEach(a -> alerted.add(a.evidence().get(0).auditID()));
                if (requests.isEmpty()) {
                    return new Outcome(id, "no events in " + positive);
                }
                if (!alerted.equals(requests) || fired.size() != requests.size()) {
                    Set<String> silent = new TreeSet<>(requests);
                    silent.removeAll(alerted);
                    return new Outcome(id, fired.size() + " alerts for " + requests.size() + " positive requests;"
                            + " no alert for " + silent);
                }
            }
            List<Alert> quiet = replay(id, engine, negative);
            if (!quiet.isEmpty()) {
                return new Outcome(id, "fired on " + negative + ": " + quiet.get(0).summary()
                        + " (request " + quiet.get(0).evidence().get(0).auditID() + ")");
            }
            return new Outcome(id, null);
        } catch (IllegalArgumentException e) {
            return new Outcome(id, e.getMessage());
        }
    }

    /** The rule's alerts on {@code file}; the replay host's other analyses (the node graph) run too and are ignored. */
    private static List<Alert> replay(String id, Engine engine, Path file) throws IOException {
        List<Alert> alerts = new ArrayList<>();
        new Replay(new AuditEventReader(AuditEventReader.DEFAULT_MAX_EVENT_BYTES, "fixtures"),
                Analyses.standard(MEMORY, AnalysisConfig.DEFAULTS.nodeGrace(), engine, AnalysisRules.BUILT_IN)).run(List.of(file), alert -> {
                    if (alert.rule().id().equals(id)) {
                        alerts.add(alert);
                    }
                }, (f, rejection) -> {
                    throw new IllegalArgumentException(f + ": fixture rejected: " + rejection.message());
                });
        return alerts;
    }

    private static Set<String> requests(Path file) throws IOException {
        Set<String> ids = new TreeSet<>();
        for (String line : Files.readAllLines(file)) {
            if (!line.isBlank()) {
                JsonNode event = AuditEventReader.mapper().readTree(line);
                ids.add(event.path("auditID").asText());
            }
        }
        return ids;
    }
}
