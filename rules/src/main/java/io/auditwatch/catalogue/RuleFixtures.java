package io.auditwatch.catalogue;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditwatch.alert.Alert;
import io.auditwatch.analyses.AnalysisConfig;
import io.auditwatch.analyses.Analyses;
import io.auditwatch.engine.AnalysisRule;
import io.auditwatch.engine.AnalysisRules;
import io.auditwatch.engine.Correlation;
import io.auditwatch.engine.Detection;
import io.auditwatch.engine.Engine;
import io.auditwatch.event.AuditEventReader;
import io.auditwatch.language.RuleSet;
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
 * Runs a detection against its fixtures, {@code <dir>/<rule id>/positive.jsonl} and {@code negative.jsonl},
 * through the replay host with that detection alone (the analyses run too; only its own alerts count): every
 * request of a single-event rule's positive file alerts once; a correlation's or an analysis' positive file (a
 * sequence: the pods, bindings and tokens that set the scene, then the attack) raises exactly one alert; negative
 * files raise none.
 */
public final class RuleFixtures {
    private static final Duration MEMORY = Duration.ofHours(1);
    private static final Engine NO_RULES = new Engine(List.of(), MEMORY);

    private RuleFixtures() {
    }

    /** The outcome for one detection: null {@code failure} when it passed. */
    public record Outcome(String ruleId, String failure) {
        public boolean passed() {
            return failure == null;
        }
    }

    /** Every detection of {@code rules}' catalogue (disabled ones too) against its fixture directory under {@code root}. */
    public static List<Outcome> checkAll(RuleSet rules, Path root) throws IOException {
        List<Outcome> outcomes = new ArrayList<>();
        for (RuleSet.Entry entry : rules.catalogue()) {
            outcomes.add(check(rules, entry.rule().id(), root));
        }
        return outcomes;
    }

    /** Fixture directories under {@code root} that name no detection of {@code rules}. */
    public static Set<String> orphans(RuleSet rules, Path root) throws IOException {
        Set<String> ids = new TreeSet<>();
        rules.catalogue().forEach(e -> ids.add(e.rule().id()));
        Set<String> orphans = new TreeSet<>();
        try (Stream<Path> dirs = Files.list(root)) {
            dirs.filter(Files::isDirectory).map(d -> d.getFileName().toString()).filter(d -> !ids.contains(d))
                    .forEach(orphans::add);
        }
        return orphans;
    }

    /** One detection, by id. */
    public static Outcome check(RuleSet rules, String id, Path root) throws IOException {
        Optional<Detection> rule = rules.all().stream().filter(d -> d.rule().id().equals(id)).findFirst();
        if (rule.isPresent()) {
            return check(id, new Engine(List.of(rule.get()), MEMORY), rules, false, root);
        }
        Optional<Correlation> correlation = rules.allCorrelations().stream().filter(c -> c.rule().id().equals(id))
                .findFirst();
        if (correlation.isPresent()) {
            return check(id, new Engine(List.of(), rules.withCountedCorrelations(correlation.get()), MEMORY), rules,
                    true, root);
        }
        if (rules.analysisRules().containsKey(id)) {
            // Disabled or not, a rule is tested: its analysis raises it as if enabled.
            AnalysisRules enabled = ruleId -> {
                AnalysisRule r = rules.rule(ruleId);
                return new AnalysisRule(r.definition(), true, r.exception());
            };
            return check(id, NO_RULES, enabled, true, root);
        }
        return new Outcome(id, "no rule with this id");
    }

    /** The engine holds no state (each replay brings its own), so one engine serves both files. */
    private static Outcome check(String id, Engine engine, AnalysisRules analysisRules, boolean sequence, Path root)
            throws IOException {
        Path dir = root.resolve(id);
        Path positive = dir.resolve("positive.jsonl");
        Path negative = dir.resolve("negative.jsonl");
        if (!Files.isRegularFile(positive) || !Files.isRegularFile(negative)) {
            return new Outcome(id, "missing " + positive + " or " + negative);
        }
        try {
            List<Alert> fired = replay(id, engine, analysisRules, positive);
            if (sequence) {
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
            List<Alert> quiet = replay(id, engine, analysisRules, negative);
            if (!quiet.isEmpty()) {
                return new Outcome(id, "fired on " + negative + ": " + quiet.get(0).summary()
                        + " (request " + quiet.get(0).evidence().get(0).auditID() + ")");
            }
            return new Outcome(id, null);
        } catch (IllegalArgumentException e) {
            return new Outcome(id, e.getMessage());
        }
    }

    /** The detection's alerts on {@code file}; the other rules of the replay host's analyses are ignored. */
    private static List<Alert> replay(String id, Engine engine, AnalysisRules analysisRules, Path file)
            throws IOException {
        List<Alert> alerts = new ArrayList<>();
        new Replay(new AuditEventReader(AuditEventReader.DEFAULT_MAX_EVENT_BYTES, "fixtures"),
                Analyses.standard(MEMORY, AnalysisConfig.DEFAULTS.nodeGrace(), engine, analysisRules)).run(List.of(file), alert -> {
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
