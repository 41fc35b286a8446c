package io.auditwatch.replay;

import static io.auditwatch.testing.EventJson.podExec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.alert.Alert;
import io.auditwatch.analyses.Analyses;
import io.auditwatch.engine.Engine;
import io.auditwatch.event.AuditEventReader;
import io.auditwatch.event.Rejection;
import io.auditwatch.language.RuleSet;
import io.auditwatch.testing.CoreRules;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplayInputsTest {
    private static final AuditEventReader READER = new AuditEventReader(AuditEventReader.DEFAULT_MAX_EVENT_BYTES, "c");

    @TempDir
    Path dir;

    private final List<Alert> alerts = new ArrayList<>();
    private final List<String> damage = new ArrayList<>();
    private final List<String> rejected = new ArrayList<>();

    private static Replay replay() {
        Duration memory = Duration.ofHours(1);
        return new Replay(READER, Analyses.standard(memory, Duration.ofSeconds(90),
                new Engine(CoreRules.detections(), memory), RuleSet.defaults()));
    }

    private ReplaySummary run(List<ReplayInput> inputs) throws IOException {
        return replay().run(inputs, alerts::add, new Replay.Listener() {
            @Override
            public void rejected(String input, long position, Rejection rejection) {
                rejected.add(input + ":" + position + ": " + rejection.reason().code());
            }

            @Override
            public void damaged(String input, long line, IOException cause) {
                damage.add(input + ":" + line + ": " + cause.getMessage());
            }
        });
    }

    private static String lines(int from, int to, double startSeconds) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < to; i++) {
            sb.append(podExec().auditID("a-" + i).at(startSeconds + i).json()).append('\n');
        }
        return sb.toString();
    }

    private static byte[] gzip(String text) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    private List<String> auditIDs() {
        return alerts.stream().map(a -> a.evidence().get(0).auditID()).toList();
    }

    @Test
    void shouldReadGzipByItsMagicBytesWhateverTheName() throws IOException {
        Path log = Files.write(dir.resolve("audit.log"), gzip(lines(0, 3, 0)));

        ReplaySummary summary = run(ReplayInputs.resolve(List.of(log.toString()), InputStream.nullInputStream(), READER)
                .inputs());

        assertEquals(3, summary.events());
        assertEquals(List.of(), rejected);
        assertTrue(summary.clean());
    }

    @Test
    void shouldKeepWhatCameBeforeATruncatedGzipReportItsLineAndGoOnWithTheNextFile() throws IOException {
        byte[] whole = gzip(lines(0, 2000, 0));
        Path broken = Files.write(dir.resolve("audit-1.log.gz"), Arrays.copyOf(whole, whole.length / 2));
        Path next = Files.writeString(dir.resolve("audit-2.log"), lines(5000, 5001, 0));

        ReplaySummary summary = run(List.of(LogInput.file(broken), LogInput.file(next)));

        assertEquals(1, damage.size(), damage.toString());
        assertTrue(damage.get(0).matches(broken + ":\\d+: the compressed data ends early \\(a truncated \\.gz\\)"),
                damage.get(0));
        long brokeAt = Long.parseLong(damage.get(0).split(":")[1]);
        assertTrue(brokeAt > 1 && brokeAt < 2000, "the line it broke off at: " + brokeAt);
        assertEquals(brokeAt - 1 + 1, summary.events(), "every whole line before the break, and the next file");
        assertTrue(auditIDs().contains("a-5000"), "the next file was replayed");
        assertEquals(List.of(broken.toString()), summary.damagedInputs());
        assertTrue(!summary.clean());
        assertTrue(summary.line().endsWith("; 1 input damaged, read up to the break"), summary.line());
    }

    @Test
    void shouldKeepTheLinesOfASmallTruncatedGzip() throws IOException {
        byte[] whole = gzip(lines(0, 3, 0));
        Path broken = Files.write(dir.resolve("small.gz"), Arrays.copyOf(whole, whole.length - 10));

        ReplaySummary summary = run(List.of(LogInput.file(broken)));

        assertEquals(1, damage.size(), damage.toString());
        assertEquals(2, summary.events(), "the two whole lines before the break");
    }

    @Test
    void shouldReplayADirectoryRecursivelyInTheOrderOfItsFilesFirstEventsSkippingWhatIsNotALog() throws IOException {
        Files.createDirectories(dir.resolve("logs/older"));
        // Rotated names that sort the wrong way round: the newest is plain audit.log.
        Files.writeString(dir.resolve("logs/audit.log"), lines(20, 21, 0));
        Files.write(dir.resolve("logs/older/audit.log.1"), gzip(lines(10, 11, 0)));
        Files.writeString(dir.resolve("logs/older/audit.log.2"), lines(0, 1, 0));
        Files.writeString(dir.resolve("logs/README"), "not a log\n");
        Files.writeString(dir.resolve("logs/policy.yaml"), "apiVersion: audit.k8s.io/v1\n");

        ReplayInputs.Resolved resolved = ReplayInputs.resolve(List.of(dir.resolve("logs").toString()),
                InputStream.nullInputStream(), READER);
        run(resolved.inputs());

        assertEquals(List.of("a-0", "a-10", "a-20"), auditIDs());
        assertEquals(2, resolved.skipped().size(), resolved.skipped().toString());
        assertTrue(resolved.skipped().stream().allMatch(s -> s.endsWith(": neither JSON nor gzip")));
    }

    @Test
    void shouldExpandAGlobAndReadDashAsStandardInput() throws IOException {
        Files.writeString(dir.resolve("b.jsonl"), lines(1, 2, 0));
        Files.writeString(dir.resolve("a.jsonl"), lines(2, 3, 0));
        Files.writeString(dir.resolve("c.txt"), lines(3, 4, 0));
        InputStream stdin = new ByteArrayInputStream(lines(7, 8, 0).getBytes(StandardCharsets.UTF_8));

        List<ReplayInput> inputs = ReplayInputs.resolve(List.of(dir + "/*.jsonl", "-"), stdin, READER).inputs();
        run(inputs);

        assertEquals(List.of(dir.resolve("b.jsonl").toString(), dir.resolve("a.jsonl").toString(), "-"),
                inputs.stream().map(ReplayInput::name).toList());
        assertEquals(List.of("a-1", "a-2", "a-7"), auditIDs());
    }

    @Test
    void shouldNameWhatDoesNotExist() {
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> ReplayInputs.resolve(
                List.of(dir.resolve("nope.log").toString()), InputStream.nullInputStream(), READER));
        assertEquals(dir.resolve("nope.log").toString(), e.getFile());
        assertThrows(NoSuchFileException.class, () -> ReplayInputs.resolve(
                List.of(dir + "/*.nope"), InputStream.nullInputStream(), READER));
    }

    @Test
    void shouldGiveRejectionsTheirLineNumber() throws IOException {
        Path log = Files.writeString(dir.resolve("audit.log"), lines(0, 1, 0) + "\ngarbage\n" + lines(1, 2, 0));

        run(List.of(LogInput.file(log)));

        assertEquals(List.of(log + ":3: not-json"), rejected);
    }
}
