package io.auditwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.auditwatch.alert.Alert;
import io.auditwatch.alert.AlertCodec;
import io.auditwatch.scenario.Scenario;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code auditwatch demo --via-webhook}: the scenario goes through the ingest webhook and every alert arrives. */
class DemoViaWebhookTest {
    @TempDir
    Path dir;

    @Test
    void shouldRaiseEveryExpectedAlertThroughTheWebhook() throws Exception {
        Path alerts = dir.resolve("alerts.jsonl");
        int exit = Main.execute(Map.of(), "demo", "--via-webhook", "--scenario",
                "../replay-data/scenarios/compromised-pod", "--alerts-out", alerts.toString());
        assertEquals(0, exit);
        Scenario scenario = Scenario.load(Path.of("../replay-data/scenarios/compromised-pod"));
        List<Alert> written = Files.readAllLines(alerts).stream().map(AlertCodec::fromJson).toList();
        assertEquals(List.of(), scenario.missing(written));
        assertEquals(List.of(), scenario.unexpected(written));
    }
}
