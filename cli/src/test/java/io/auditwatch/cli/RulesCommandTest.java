package io.auditwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code auditwatch rules validate|test|list} and {@code replay --rules}. */
class RulesCommandTest {
    /** Rules in SigmaHQ's shape, written for the tests (replay-data/sigmahq-shaped/README.md). */
    static final Path SIGMA = Path.of("../replay-data/sigmahq-shaped");
    static final String RULE = "title: Pods listed\nid: pods-listed\nlevel: low\ndetection:\n  s:\n"
            + "    verb: list\n    objectRef.resource: pods\n  condition: s\n";

    private record Result(int exitCode, String out, String err) {
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine(Map.of());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return new Result(cl.execute(args), out.toString(), err.toString());
    }

    @Test
    void shouldAcceptValidRulesAndNameFileLineAndFieldOfEveryError(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("good.yml"), RULE);
        Result good = run("rules", "validate", dir.toString());
        assertEquals(0, good.exitCode(), good.err());
        assertEquals("valid: 1 rules (1 enabled), 0 correlations", good.out().strip());

        Files.writeString(dir.resolve("bad.yml"), "title: Bad\nid: bad\nlevel: loud\ndetection:\n  s:\n"
                + "    verbb: list\n  condition: s\n");
        Result bad = run("rules", "validate", dir.toString());
        assertEquals(1, bad.exitCode());
        List<String> lines = bad.err().lines().toList();
        assertTrue(lines.contains(dir.resolve("bad.yml") + ":3: level: unknown level 'loud'"
                + " (informational, low, medium, high, critical)"), bad.err());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith(dir.resolve("bad.yml") + ":6: detection.s.verbb: unknown field")),
                bad.err());
        assertTrue(lines.get(lines.size() - 1).startsWith("auditwatch: 2 error(s) in"), bad.err());
    }

    @Test
    void shouldValidateSigmaHqShapedRulesUnmodified() {
        Result result = run("rules", "validate", SIGMA.toString());
        assertEquals(0, result.exitCode(), result.err());
        assertEquals("valid: 7 rules (7 enabled), 0 correlations", result.out().strip());
    }

    @Test
    void shouldPassEveryFixtureOfTheDefaultPack() {
        Result result = run("rules", "test", "../replay-data/rules");
        assertEquals(0, result.exitCode(), result.out());
        assertTrue(result.out().strip().matches("(\\d+) of \\1 rules pass their fixtures"), result.out());
    }

    @Test
    void shouldFailATestWhoseRuleFiresOnItsNegativeFixture(@TempDir Path dir) throws Exception {
        Path rules = Files.writeString(dir.resolve("r.yml"), RULE);
        Path fixtures = Files.createDirectories(dir.resolve("fixtures/pods-listed"));
        String list = "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"auditID\":\"a1\",\"stage\":\"ResponseComplete\","
                + "\"requestURI\":\"/api/v1/pods\",\"verb\":\"list\",\"user\":{\"username\":\"bob\"},"
                + "\"objectRef\":{\"resource\":\"pods\"},\"responseStatus\":{\"code\":200},"
                + "\"requestReceivedTimestamp\":\"2026-11-20T10:00:00Z\"}\n";
        Files.writeString(fixtures.resolve("positive.jsonl"), list);
        Files.writeString(fixtures.resolve("negative.jsonl"), list.replace("a1", "a2"));
        Result result = run("rules", "test", dir.resolve("fixtures").toString(), "--rules", rules.toString());
        assertEquals(1, result.exitCode());
        assertTrue(result.out().contains("FAIL pods-listed: fired on"), result.out());
        assertTrue(result.out().contains("0 of 1 rules pass their fixtures"), result.out());
    }

    @Test
    void shouldListEveryDetectionOfTheDefaultPackWithLevelsStatesKindsAndEquivalents() {
        Result result = run("rules", "list");
        assertEquals(0, result.exitCode(), result.err());
        List<String> lines = result.out().lines().toList();
        assertTrue(lines.stream().anyMatch(l -> l.matches("pod-exec +medium +enabled +rule +Exec or attach into a pod"
                + "  \\[falco:Attach/Exec Pod \\(when verb: create\\); .*")), result.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches("disallowed-user +medium +disabled +rule .*")), result.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches("secret-enumeration +high +enabled +correlation .*")), result.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches("node-credential-unrelated-access +critical +enabled +node-graph +"
                + "Node credential accessed an object no pod on its node uses")), result.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches("node-token-foreign-source +high +enabled +token-sources .*")), result.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches("node-credential-non-node-action +critical +enabled +rule .*")), result.out());
    }

    @Test
    void shouldPrintTheCoverageTableOfTheDocsAsMarkdown() throws Exception {
        Result result = run("rules", "list", "--markdown", "--fixtures", "../replay-data/rules");
        assertEquals(0, result.exitCode(), result.err());
        String doc = Files.readString(Path.of("../docs/rules.md"), StandardCharsets.UTF_8);
        assertTrue(result.out().startsWith("| rule | level | ATT&CK |"), result.out());
        assertTrue(doc.contains(result.out()), "docs/rules.md does not hold the table that rules list --markdown prints");
    }

    @Test
    void shouldReplayExactlyTheRulesGiven(@TempDir Path dir) throws Exception {
        Path rules = Files.writeString(dir.resolve("r.yml"), RULE);
        Path alerts = dir.resolve("alerts.jsonl");
        PrintStream stdout = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        Result result;
        try {
            result = run("replay", "../replay-data/scenarios/compromised-pod/events.jsonl", "--rules", rules.toString(),
                    "--alerts-out", alerts.toString());
        } finally {
            System.setOut(stdout);
        }
        assertEquals(0, result.exitCode(), result.err());
        List<String> fired = Files.readAllLines(alerts).stream()
                .map(l -> l.replaceAll(".*\"rule\":\\{\"id\":\"([^\"]+)\".*", "$1")).distinct().toList();
        assertEquals(List.of("pods-listed"), fired, "only the given rule ran, not the default pack");
    }

    @Test
    void shouldReplayWithSigmaHqShapedRulesAndFireThem(@TempDir Path dir) throws Exception {
        Path alerts = dir.resolve("alerts.jsonl");
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, run("replay", "../replay-data/scenarios/compromised-pod/events.jsonl", "--rules",
                    SIGMA.toString(), "--alerts-out", alerts.toString()).exitCode());
        } finally {
            System.setOut(stdout);
        }
        String out = Files.readString(alerts);
        assertTrue(out.contains("\"id\":\"b4dc1b56-31b9-47b1-ab87-8324b43ff1cb\""), "the 401/403 rule fires on the denied requests");
    }

    @Test
    void shouldRefuseToReplayWithBrokenRules(@TempDir Path dir) throws Exception {
        Path rules = Files.writeString(dir.resolve("r.yml"), RULE.replace("verb: list", "verb|sideways: list"));
        Result result = run("replay", "../replay-data/scenarios/compromised-pod/events.jsonl", "--rules", rules.toString());
        assertEquals(1, result.exitCode());
        assertTrue(result.err().contains("auditwatch: 1 error(s) in"), result.err());
    }
}
