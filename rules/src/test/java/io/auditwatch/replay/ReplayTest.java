package io.auditwatch.replay;

import static io.auditwatch.testing.EventJson.event;
import static io.auditwatch.testing.EventJson.podExec;
import static io.auditwatch.testing.EventJson.secretGet;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.alert.Alert;
import io.auditwatch.engine.Analyses;
import io.auditwatch.engine.Engine;
import io.auditwatch.testing.CoreRules;
import io.auditwatch.event.AuditEventReader;
import io.auditwatch.event.Rejection;
import io.auditwatch.testing.EventJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
                Analyses.standard(memory, Duration.ofSeconds(90), new Engine(CoreRules.detections(), memory)));
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
                + " {not-json=1, truncated-json=1, wrong-field-type=1}, 1 alerts", summary.line());
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
        assertTrue(summary.line().contains("1 alerts"), summary.line());
    }
}
