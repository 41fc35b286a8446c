package io.auditwatch.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every rule and correlation of the default pack, disabled ones included, against its fixtures in
 * replay-data/rules/&lt;id&gt;/ (see {@link RuleFixtures} for what passing means).
 */
class PackFixturesTest {
    static final Path FIXTURES = Path.of("../replay-data/rules");
    static final RuleSet PACK = RuleSet.defaults();

    static Stream<String> ids() {
        return Stream.concat(PACK.all().stream().map(d -> d.rule().id()),
                PACK.allCorrelations().stream().map(c -> c.rule().id()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ids")
    void shouldPassItsFixtures(String id) throws IOException {
        RuleFixtures.Outcome outcome = RuleFixtures.check(PACK, id, FIXTURES);
        assertTrue(outcome.passed(), outcome.failure());
    }

    @Test
    void shouldHaveARuleForEveryFixtureDirectory() throws IOException {
        assertEquals(Set.of(), RuleFixtures.orphans(PACK, FIXTURES));
    }

    @Test
    void shouldReportARuleThatFiresOnItsNegativeFixture(@TempDir Path dir) throws IOException {
        Path fixtures = dir.resolve("pod-exec");
        Files.createDirectories(fixtures);
        String exec = Files.readAllLines(FIXTURES.resolve("pod-exec/positive.jsonl")).get(0);
        Files.writeString(fixtures.resolve("positive.jsonl"), exec + "\n");
        Files.writeString(fixtures.resolve("negative.jsonl"), exec + "\n");
        RuleFixtures.Outcome outcome = RuleFixtures.check(PACK, "pod-exec", dir);
        assertFalse(outcome.passed());
        assertTrue(outcome.failure().contains("fired on") && outcome.failure().contains("negative.jsonl"),
                outcome.failure());
        assertEquals(List.of("no rule with this id"), List.of(RuleFixtures.check(PACK, "nope", dir).failure()));
    }
}
