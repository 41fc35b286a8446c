package io.auditwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.testing.Corpora;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code auditwatch replay} as an analyst runs it: inputs, filters, what it prints, its exit status. */
class ReplayCommandTest {
    private static final Path SCENARIOS = Path.of("../replay-data/scenarios");
    private static final Path POD = SCENARIOS.resolve("compromised-pod/events.jsonl");
    private static final Path HARVEST = SCENARIOS.resolve("secret-harvest/events.jsonl");

    @TempDir
    Path dir;

    private static byte[] gzip(byte[] content) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(content);
        }
        return out.toByteArray();
    }

    private static CliRun replay(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "replay";
        System.arraycopy(args, 0, all, 1, args.length);
        return new CliRun(Map.of(), all);
    }

    @Test
    void shouldPrintEachAlertWithItsTimeLevelRuleIdentityTargetAndAuditId() {
        CliRun run = replay(POD.toString());

        assertEquals(0, run.exitCode, run.err.toString());
        String exec = run.outLines().stream().filter(l -> l.contains("pod-exec")).findFirst().orElseThrow();
        assertTrue(exec.matches("^20\\d\\d-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d.*Z \\[MEDIUM\\] +pod-exec +who=alice@example.com"
                + " what=.* where=shop/pods/exec web-7d9f8b6c5-x2x4k auditID=[0-9a-f-]{36} cluster=default count=1$"), exec);
    }

    @Test
    void shouldSummariseByLevelRuleAndIdentity() {
        CliRun run = replay(POD.toString(), "--top", "2");

        List<String> err = run.errLines();
        assertTrue(err.contains("alerts by level: high 1, medium 5"), run.err.toString());
        assertTrue(err.contains("top rules (5): secret-read-scripted-client 2, anonymous-allowed 1"), run.err.toString());
        assertTrue(err.contains("top identities (3): alice@example.com 3, system:serviceaccount:shop:web 2"), run.err.toString());
    }

    @Test
    void shouldReportOnlyTheFilteredAlertsWhileCountingEveryEventIntoTheState() throws IOException {
        // The secret-enumeration alert fires at 02:11:50 on the third secret read; two of them are before --since.
        CliRun run = replay(HARVEST.toString(), "--since", "2026-11-22T02:11:30Z",
                "--identity", "system:serviceaccount:shop:*");

        assertEquals(0, run.exitCode, run.err.toString());
        assertEquals(2, run.outLines().size(), run.out.toString());
        assertTrue(run.outLines().get(1).contains("secret-enumeration"), run.out.toString());
        assertTrue(run.errLines().contains("reported 2 of 5 alerts (filters: --since 2026-11-22T02:11:30Z"
                + " --identity system:serviceaccount:shop:*)"), run.err.toString());

        Path onlyAfter = dir.resolve("after.jsonl");
        List<String> lines = Files.readAllLines(HARVEST);
        Files.write(onlyAfter, lines.subList(8, lines.size()));
        assertFalse(replay(onlyAfter.toString()).out.toString().contains("secret-enumeration"),
                "without the earlier reads the rule does not fire: the filter above did not cut them from the state");
    }

    @Test
    void shouldFilterByRuleLevelNamespaceAndUntil() {
        assertEquals(List.of("anonymous-allowed"), rules(replay(POD.toString(), "--min-level", "high")));
        assertEquals(List.of("pod-exec", "pod-portforward"), rules(replay(POD.toString(), "--rule", "pod-*")));
        assertEquals(5, replay(POD.toString(), "--namespace", "shop").outLines().size());
        assertEquals(List.of(), rules(replay(POD.toString(), "--until", "2000-01-01")));
    }

    private static List<String> rules(CliRun run) {
        assertEquals(0, run.exitCode, run.err.toString());
        return run.outLines().stream().map(l -> l.split(" +")[2]).sorted().toList();
    }

    @Test
    void shouldReadGzipNamedLogByItsContent() throws IOException {
        Path log = Files.write(dir.resolve("audit.log"), gzip(Files.readAllBytes(POD)));

        CliRun run = replay(log.toString());

        assertEquals(0, run.exitCode, run.err.toString());
        assertEquals(6, run.outLines().size(), run.out.toString());
        assertTrue(run.err.toString().contains("replayed 108 events"), run.err.toString());
    }

    @Test
    void shouldReportATruncatedGzipKeepItsAlertsGoOnAndExit2() throws IOException {
        byte[] whole = gzip(Files.readAllBytes(POD));
        Path broken = Files.write(dir.resolve("audit-1.log.gz"), Arrays.copyOf(whole, whole.length - 200));
        Path next = Files.copy(HARVEST, dir.resolve("audit-2.log"));

        CliRun run = replay(broken.toString(), next.toString());

        assertEquals(2, run.exitCode, run.err.toString());
        String damage = run.errLines().stream().filter(l -> l.startsWith("damaged ")).findFirst().orElseThrow();
        assertTrue(damage.matches("damaged " + broken + ":\\d+: the compressed data ends early \\(a truncated \\.gz\\);"
                + " everything before this line was replayed, the rest of this input is lost"), damage);
        assertTrue(run.out.toString().contains("pod-exec"), "alerts read before the break are kept");
        assertTrue(run.out.toString().contains("secret-enumeration"), "the next file was replayed");
        assertEquals("auditwatch: 1 input damaged: " + broken + " (exit status 2)",
                run.errLines().get(run.errLines().size() - 1));
    }

    @Test
    void shouldExit2WithAReasonOnAnEmptyFile() throws IOException {
        Path empty = Files.createFile(dir.resolve("empty.jsonl"));

        CliRun run = replay(empty.toString());

        assertEquals(2, run.exitCode);
        assertTrue(run.err.toString().contains("replayed 0 events"), run.err.toString());
        assertEquals("auditwatch: no audit event could be read (the input is empty) (exit status 2)",
                run.errLines().get(run.errLines().size() - 1));
    }

    @Test
    void shouldExit2OnGarbageWithPlainReasonsAndLineNumbers() throws IOException {
        Path garbage = Files.writeString(dir.resolve("garbage.log"), "garbage\n42\n{\"kind\":0}\n");

        CliRun run = replay(garbage.toString());

        assertEquals(2, run.exitCode);
        List<String> rejected = run.errLines().stream().filter(l -> l.startsWith("rejected ")).toList();
        assertEquals(3, rejected.size(), run.err.toString());
        assertTrue(rejected.get(0).startsWith("rejected " + garbage + ":1: not-json: "), rejected.get(0));
        assertEquals("rejected " + garbage + ":2: wrong-field-type: expected an audit event (a JSON object), found a number",
                rejected.get(1));
        assertEquals("rejected " + garbage + ":3: wrong-field-type: field kind: expected a string, found a number",
                rejected.get(2));
        assertFalse(run.err.toString().contains("io.auditwatch") || run.err.toString().contains("JsonToken"),
                run.err.toString());
        assertEquals("auditwatch: no audit event could be read (3 records rejected) (exit status 2)",
                run.errLines().get(run.errLines().size() - 1));
    }

    @Test
    void shouldExit2WhenSomeRecordsAreRejected() throws IOException {
        Path mixed = dir.resolve("mixed.jsonl");
        Files.writeString(mixed, "garbage\n" + Files.readAllLines(POD).get(0) + "\n", StandardCharsets.UTF_8);

        CliRun run = replay(mixed.toString());

        assertEquals(2, run.exitCode);
        assertEquals("auditwatch: 1 record rejected (exit status 2)", run.errLines().get(run.errLines().size() - 1));
    }

    @Test
    void shouldReplayADirectoryOfScenariosRecursivelySkippingItsReadmes() {
        CliRun run = replay(SCENARIOS.toString());

        assertEquals(0, run.exitCode, run.err.toString());
        assertTrue(run.errLines().stream().anyMatch(l -> l.startsWith("skipped ") && l.endsWith("README.md: neither JSON nor gzip")),
                run.err.toString());
        assertTrue(run.out.toString().contains("secret-enumeration") && run.out.toString().contains("pod-exec"));
    }

    @Test
    void shouldExit1OnUsageErrorsAndMissingFiles() {
        CliRun none = replay();
        assertEquals(1, none.exitCode);
        assertTrue(none.err.toString().startsWith("auditwatch: nothing to replay"), none.err.toString());

        CliRun badTime = replay(POD.toString(), "--since", "yesterday");
        assertEquals(1, badTime.exitCode);
        assertTrue(badTime.err.toString().contains("'yesterday' is not a time"), badTime.err.toString());

        CliRun missing = replay(dir.resolve("nope.jsonl").toString());
        assertEquals(1, missing.exitCode);
        assertEquals(List.of("auditwatch: audit log: no such file: " + dir.resolve("nope.jsonl")), missing.errLines());
    }

    @Test
    void shouldReplayTheThirdPartyCorpus() {
        Path corpus = Corpora.dir("audit2rbac");

        CliRun run = replay(corpus.toString(), "--identity", "*");

        assertEquals(0, run.exitCode, run.err.toString());
        assertTrue(run.err.toString().contains("replayed 37 events"), run.err.toString());
    }
}
