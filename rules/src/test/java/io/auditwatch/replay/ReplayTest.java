package io.auditwatch.replay;

import static io.auditwatch.testing.EventJson.event;
import static io.auditwatch.testing.EventJson.podExec;
import static io.auditwatch.testing.EventJson.secretGet;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.alert.Alert;
import io.auditwatch.analyses.Analyses;
import io.auditwatch.engine.Engine;
import io.auditwatch.event.AuditEventReader;
import io.auditwatch.event.Rejection;
import io.auditwatch.language.RuleSet;
import io.auditwatch.testing.CoreRules;
import io.auditwatch.testing.EventJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplayTest {
    private static final String TRUNCATED = "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"verb\":\"g";

    @TempDir
    Path dir;

    private final List<Alert> alerts = new ArrayList<>();
    private final List<Path> rejectedFiles = new ArrayList<>();
    private final List<Rejection> rejections = new ArrayList<>();

    private static Replay replay() {
        Duration memory = Duration.ofHours(1);
        return new Replay(new AuditEventReader(AuditEventReader.DEFAULT_MAX_EVENT_BYTES, "replayed"),
                Analyses.standard(memory, Duration.ofSeconds(90), new Engine(CoreRules.detections(), memory),
                        RuleSet.defaults()));
    }

    private Path file(String name, String... lines) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        return file;
    }

    private ReplaySummary run(Replay replay, Path... files) throws IOException {
        return replay.run(List.of(files), alerts::add, (file, rejection) -> {
            rejectedFiles.add(file);
            rejections.add(rejection);
        });
    }

    @Test
    void shouldCountEventsDuplicatesRejectionsAndAlertsOfAFile() throws IOException {
        Path log = file("audit.log",
                podExec().auditID("a-1").stage("ResponseStarted").json(),
                podExec().auditID("a-1").stage("ResponseStarted").json(), // a webhook retry
                podExec().auditID("a-1").stage("ResponseComplete").code(200).stageAt("2024-05-01T10:03:00Z").json(),
                TRUNCATED,
                "",
                "hello",
                secretGet().auditID("a-2").received("2024-05-01T10:01:00Z").json(),
                event().auditID("a-3").received("2024-05-01T10:02:00Z").json());

        ReplaySummary summary = run(replay(), log);

        assertEquals(7, summary.payloads(), "the blank line is no payload");
        assertEquals(5, summary.events());
        assertEquals(1, summary.duplicates());
        assertEquals(2, summary.alerts());
        assertEquals(Map.of("truncated-json", 1L, "not-json", 1L), summary.rejectedByReason());
        assertEquals(2, summary.rejected());
        assertEquals(List.of("pod-exec", "secret-read"), alerts.stream().map(a -> a.rule().id()).toList());
        assertEquals(List.of("replayed", "replayed"), alerts.stream().map(Alert::cluster).toList());
        assertEquals(List.of(log, log), rejectedFiles);
        assertEquals(List.of(Rejection.Reason.TRUNCATED_JSON, Rejection.Reason.NOT_JSON),
                rejections.stream().map(Rejection::reason).toList());
        assertArrayEquals(TRUNCATED.getBytes(StandardCharsets.UTF_8), rejections.get(0).raw());
    }

    @Test
    void shouldPrintTheSummaryWithReasonsInAStableOrder() throws IOException {
        ReplaySummary summary = run(replay(), file("audit.log", "hello", TRUNCATED, "", "{\"kind\":0}",
                podExec().json()));

        assertEquals("replayed 1 events (0 exact repeats of a request stage dropped), 3 rejected"
                + " {not-json=1, truncated-json=1, wrong-field-type=1}, 1 alert", summary.line());
    }

    @Test
    void shouldPrintASummaryWithoutRejections() throws IOException {
        ReplaySummary summary = run(replay(), file("audit.log", event().json()));

        assertEquals("replayed 1 events (0 exact repeats of a request stage dropped), 0 rejected, 0 alerts",
                summary.line());
    }

    @Test
    void shouldDedupeAcrossFilesAndAttributeRejectionsToTheirFile() throws IOException {
        Path first = file("audit-1.log", podExec().auditID("a-1").json());
        Path second = file("audit-2.log", podExec().auditID("a-1").json(), "not json at all");

        ReplaySummary summary = run(replay(), first, second);

        assertEquals(2, summary.events());
        assertEquals(1, summary.duplicates());
        assertEquals(1, summary.alerts());
        assertEquals(List.of(second), rejectedFiles);
    }

    @Test
    void shouldReadAWebhookBatchFileAsOneEventList() throws IOException {
        Path batch = file("batch.json", EventJson.eventList(podExec().auditID("a-1").json(),
                secretGet().auditID("a-2").json(), event().auditID("a-3").set("verb", 5).json()));

        ReplaySummary summary = run(replay(), batch);

        assertEquals(1, summary.payloads());
        assertEquals(2, summary.events());
        assertEquals(2, summary.alerts());
        assertEquals(Map.of("wrong-field-type", 1L), summary.rejectedByReason());
    }

    @Test
    void shouldTimeAnEventWithoutTimestampsByTheFilesModificationTimeAtFirst() throws IOException {
        Path log = file("audit.log", secretGet().remove("requestReceivedTimestamp", "stageTimestamp").json());
        Instant modified = Instant.parse("2023-11-02T08:15:30Z");
        Files.setLastModifiedTime(log, FileTime.from(modified));

        run(replay(), log);

        assertEquals(modified.toString(), alerts.get(0).firstSeen());
    }

    @Test
    void shouldTimeAnEventWithoutTimestampsByTheLatestEventTimeSeen() throws IOException {
        Path log = file("audit.log",
                event().auditID("a-1").received("2024-05-01T12:00:00Z").json(),
                event().auditID("a-0").received("2024-05-01T11:00:00Z").json(),
                secretGet().auditID("a-2").remove("requestReceivedTimestamp", "stageTimestamp").json());

        run(replay(), log);

        assertEquals("2024-05-01T12:00:00Z", alerts.get(0).firstSeen());
    }

    @Test
    void shouldFeedPayloadsOneByOne() {
        Replay replay = replay();
        List<Rejection> seen = new ArrayList<>();

        replay.accept(podExec().bytes(), 0, alerts::add, seen::add);
        replay.accept(new byte[0], 0, alerts::add, seen::add);

        assertEquals(1, alerts.size());
        assertEquals(List.of(Rejection.Reason.EMPTY), seen.stream().map(Rejection::reason).toList());
        ReplaySummary summary = replay.summary();
        assertEquals(2, summary.payloads());
        assertEquals(Map.of("empty", 1L), summary.rejectedByReason());
        assertTrue(summary.line().contains("1 alert"), summary.line());
    }

    /** Many files, several batches each, alerts, rejections and timeless events: as if fed payload by payload. */
    @Test
    void shouldReadAheadOnAThreadWithTheResultsOfFeedingPayloadsInOrder() throws IOException {
        List<Path> files = new ArrayList<>();
        List<String[]> contents = new ArrayList<>();
        for (int f = 0; f < 3; f++) {
            String[] lines = new String[ReadAhead.BATCH * 5 + 17];
            for (int i = 0; i < lines.length; i++) {
                String id = "f" + f + "-" + i;
                String received = Instant.parse("2024-05-01T10:00:00Z").plusSeconds(f * 10_000L + i).toString();
                lines[i] = switch (i % 7) {
                    case 0 -> podExec().auditID(id).received(received).json();
                    case 1 -> TRUNCATED;
                    case 2 -> secretGet().auditID(id).remove("requestReceivedTimestamp", "stageTimestamp").json();
                    case 3 -> secretGet().auditID("f" + f + "-" + (i - 3)).received(received).json(); // a repeat
                    default -> event().auditID(id).received(received).json();
                };
            }
            Path file = file("audit-" + f + ".log", lines);
            Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2024-04-01T00:00:00Z")));
            files.add(file);
            contents.add(lines);
        }

        ReplaySummary summary = run(replay(), files.toArray(Path[]::new));

        Replay oneByOne = replay();
        List<Alert> expectedAlerts = new ArrayList<>();
        List<Path> expectedRejectedFiles = new ArrayList<>();
        for (int f = 0; f < files.size(); f++) {
            Path file = files.get(f);
            long fileTime = Files.getLastModifiedTime(file).toMillis();
            for (String line : contents.get(f)) {
                oneByOne.accept(line.getBytes(StandardCharsets.UTF_8), fileTime, expectedAlerts::add,
                        rejection -> expectedRejectedFiles.add(file));
            }
        }
        oneByOne.finish(expectedAlerts::add);
        ReplaySummary expected = oneByOne.summary();
        assertEquals(expected.line(), summary.line());
        assertEquals(expected.events(), summary.events());
        assertEquals(3L * contents.get(0).length, summary.payloads(), "nothing lost at the end of input");
        assertEquals(expectedAlerts, alerts);
        assertEquals(expectedRejectedFiles, rejectedFiles);
        assertTrue(alerts.size() > 3 * ReadAhead.BATCH / 7, "alerts from every batch: " + alerts.size());
    }

    @Test
    void shouldReportAnUnreadableFileAfterEverythingReadBeforeIt() throws IOException {
        Path good = file("audit-1.log", podExec().auditID("a-1").json());
        Path missing = dir.resolve("gone.log");

        assertThrows(NoSuchFileException.class, () -> run(replay(), good, missing));

        assertEquals(List.of("pod-exec"), alerts.stream().map(a -> a.rule().id()).toList());
    }

    @Test
    void shouldPassOnAFailureOfTheAlertCallbackAndStopReading() throws IOException {
        String[] lines = new String[ReadAhead.BATCH * 20];
        for (int i = 0; i < lines.length; i++) {
            lines[i] = podExec().auditID("a-" + i).json();
        }
        Path log = file("audit.log", lines);
        IllegalStateException failure = new IllegalStateException("the alert sink is full");

        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> replay().run(List.of(log),
                alert -> {
                    throw failure;
                }, (file, rejection) -> { }));

        assertSame(failure, thrown);
        assertFalse(Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("replay-read") && t.isAlive()), "the reading thread has ended");
    }
}
