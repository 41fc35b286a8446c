package io.auditwatch.language;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.auditwatch.engine.Engine;
import io.auditwatch.event.AuditEvent;
import io.auditwatch.event.AuditEventReader;
import io.auditwatch.formats.AuditLogFiles;
import io.auditwatch.state.ExpiringState;
import io.auditwatch.state.TreeMapStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A benchmark, not a speed test: the default pack (rules and correlations) over every recorded scenario, parsed
 * once, many passes. It prints the rate; what it asserts is that every pass raises the same alerts.
 */
class PackThroughputTest {
    @Test
    void shouldRaiseTheSameAlertsOnEveryPassAndPrintTheRate() throws IOException {
        AuditEventReader reader = new AuditEventReader(AuditEventReader.DEFAULT_MAX_EVENT_BYTES, "bench");
        List<AuditEvent> events = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("../replay-data/scenarios"))) {
            for (Path file : files.filter(f -> f.getFileName().toString().equals("events.jsonl")).sorted().toList()) {
                AuditLogFiles.forEachPayload(file, payload -> events.addAll(reader.read(payload, 0).events()));
            }
        }
        assertFalse(events.isEmpty());
        RuleSet pack = RuleSet.defaults();
        Engine engine = pack.engine(Duration.ofHours(1));
        int passes = 40;
        long expected = -1;
        long start = System.nanoTime();
        for (int pass = 0; pass < passes; pass++) {
            ExpiringState state = new ExpiringState(new TreeMapStore());
            long alerts = 0;
            for (AuditEvent event : events) {
                state.advanceTo(event.eventTimeMillis());
                alerts += engine.process(event, state).size();
            }
            if (expected < 0) {
                expected = alerts;
            }
            assertEquals(expected, alerts, "pass " + pass);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("default pack (%d rules, %d correlations): %d events x %d passes in %.2f s = %.0f events/s"
                        + " on one thread, %d alerts per pass%n", pack.detections().size(), pack.correlations().size(),
                events.size(), passes, seconds, events.size() * passes / seconds, expected);
    }
}
