package io.auditwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.alert.Alert;
import io.auditwatch.alert.AlertCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoAndReplayCommandTest {
    private static final Path SCENARIO = Path.of("../replay-data/scenarios/compromised-pod");

    @TempDir
    Path dir;

    @Test
    void shouldWriteTheSameAlertsInReplayAsTheDemoDoesThroughARealBroker() throws IOException {
        Path demoAlerts = dir.resolve("demo.jsonl");
        CliRun demo = new CliRun(Map.of(), "demo", "--scenario", SCENARIO.toString(), "--alerts-out", demoAlerts.toString());
        assertEquals(0, demo.exitCode, demo.err.toString());
        assertTrue(demo.outLines().stream().anyMatch(l -> l.startsWith("demo: 6 alerts, all 6 expected by 'compromised-pod', in")), demo.out.toString());
        assertTrue(demo.outLines().stream().anyMatch(l -> l.contains("pod-exec") && l.contains("alice@example.com")));

        Path replayAlerts = dir.resolve("replay.jsonl");
        CliRun replay = new CliRun(Map.of(), "replay", SCENARIO.resolve("events.jsonl").toString(),
                "--alerts-out", replayAlerts.toString());
        assertEquals(0, replay.exitCode, replay.err.toString());
        assertTrue(replay.err.toString().contains("6 alerts"), replay.err.toString());

        assertEquals(sortedIds(demoAlerts), sortedIds(replayAlerts));
        assertEquals(6, sortedIds(replayAlerts).size());
    }

    private static List<String> sortedIds(Path alerts) throws IOException {
        return Files.readAllLines(alerts).stream().map(AlertCodec::fromJson).map(Alert::id).sorted().toList();
    }
}
