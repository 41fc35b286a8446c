package io.auditwatch.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.alert.Alert;
import io.auditwatch.dedup.RequestDedup;
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
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every rule of the default pack, disabled ones included, against its fixtures in replay-data/rules/&lt;id&gt;/:
 * each request in positive.jsonl raises exactly one alert of the rule, nothing in negative.jsonl raises any.
 * The rule runs alone, through the replay host, so fixtures test the rule and not its neighbours. A correlation's
 * positive.jsonl is a sequence that raises exactly one alert; its negative.jsonl holds near misses.
 */
class PackFixturesTest {
    static final Path FIXTURES = Path.of("../replay-data/rules");
    static final Duration MEMORY = Duration.ofHours(1);

    static Stream<Detection> rules() {
        return RuleSet.defaults().all().stream();
    }

    static Stream<Correlation> correlations() {
        return RuleSet.defaults().allCorrelations().stream();
    }

    private static List<Alert> replay(Detection rule, Path file) throws IOException {
        return replay(new Engine(List.of(rule), MEMORY), file);
    }

    private static List<Alert> replay(Engine engine, Path file) throws IOException {
        List<Alert> alerts = new ArrayList<>();
        new Replay(new AuditEventReader(AuditEventReader.DEFAULT_MAX_EVENT_BYTES, "fixtures"), new RequestDedup(MEMORY),
                engine)
                .run(List.of(file), alerts::add, (f, rejection) -> {
                    throw new AssertionError("fixture " + f + " rejected: " + rejection.message());
                });
        return alerts;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void shouldFireOnEveryPositiveRequestAndNoNegativeOne(Detection rule) throws IOException {
        Path dir = FIXTURES.resolve(rule.rule().id());
        Path positive = dir.resolve("positive.jsonl");
        Path negative = dir.resolve("negative.jsonl");
        assertTrue(Files.isRegularFile(positive) && Files.isRegularFile(negative), "fixtures missing in " + dir);

        Set<String> requests = Files.readAllLines(positive).stream().filter(l -> !l.isBlank())
                .map(l -> l.replaceAll(".*\"auditID\":\"([^\"]+)\".*", "$1")).collect(Collectors.toSet());
        List<Alert> fired = replay(rule, positive);
        assertFalse(requests.isEmpty(), "no positive events in " + positive);
        assertEquals(requests, fired.stream().map(a -> a.evidence().get(0).auditID()).collect(Collectors.toSet()),
                "every positive request alerts once");
        assertEquals(requests.size(), fired.size(), "one alert per request");
        assertEquals(List.of(), replay(rule, negative).stream().map(Alert::summary).toList(), "negatives stay quiet");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("correlations")
    void shouldCorrelateThePositiveSequenceOnceAndNeverTheNegativeOne(Correlation correlation) throws IOException {
        Path dir = FIXTURES.resolve(correlation.rule().id());
        Engine engine = new Engine(List.of(), List.of(correlation), MEMORY);
        assertEquals(1, replay(engine, dir.resolve("positive.jsonl")).size(), "one alert for the positive sequence");
        engine = new Engine(List.of(), List.of(correlation), MEMORY);
        assertEquals(List.of(), replay(engine, dir.resolve("negative.jsonl")).stream().map(Alert::summary).toList(),
                "negatives stay quiet");
    }

    @Test
    void shouldHaveARuleForEveryFixtureDirectory() throws IOException {
        Set<String> ids = Stream.concat(rules().map(d -> d.rule().id()), correlations().map(c -> c.rule().id()))
                .collect(Collectors.toSet());
        try (Stream<Path> dirs = Files.list(FIXTURES)) {
            Set<String> orphans = dirs.map(d -> d.getFileName().toString()).filter(d -> !ids.contains(d))
                    .collect(Collectors.toCollection(TreeSet::new));
            assertEquals(Set.of(), orphans);
        }
    }
}
