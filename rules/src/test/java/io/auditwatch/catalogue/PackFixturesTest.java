package io.auditwatch.catalogue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.language.RuleSet;
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
 * Every detection of the default pack's catalogue (rules, correlations, the analyses' rules), disabled ones included,
 * against its fixtures in
 * replay-data/rules/&lt;id&gt;/ (see {@link RuleFixtures} for what passing means).
 */
class PackFixturesTest {
    static final Path FIXTURES = Path.of("../replay-data/rules");
    static final RuleSet PACK = RuleSet.defaults();

    static Stream<String> ids() {
        return PACK.catalogue().stream().map(e -> e.rule().id());
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

    @Test
    void shouldReportAnAnalysisRuleWhoseSequenceRaisesNoAlertOrFiresOnItsLookalikes(@TempDir Path dir) throws IOException {
        String id = "node-credential-unrelated-access";
        Path swapped = dir.resolve(id);
        Files.createDirectories(swapped);
        Files.copy(FIXTURES.resolve(id).resolve("negative.jsonl"), swapped.resolve("positive.jsonl"));
        Files.copy(FIXTURES.resolve(id).resolve("positive.jsonl"), swapped.resolve("negative.jsonl"));

        RuleFixtures.Outcome outcome = RuleFixtures.check(PACK, id, dir);

        assertEquals("positive sequence raised 0 alerts, expected 1", outcome.failure());
        Files.copy(FIXTURES.resolve(id).resolve("positive.jsonl"), swapped.resolve("positive.jsonl"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertTrue(RuleFixtures.check(PACK, id, dir).failure().contains("fired on"), "the attack as a negative fixture");
    }
}
