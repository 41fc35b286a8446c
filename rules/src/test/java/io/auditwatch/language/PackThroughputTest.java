package io.auditwatch.language;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.auditwatch.alert.Alert;
import io.auditwatch.engine.Engine;
import io.auditwatch.event.AuditEvent;
import io.auditwatch.event.AuditEventReader;
import io.auditwatch.formats.AuditLogFiles;
import io.auditwatch.scenario.ExpectedAlert;
import io.auditwatch.scenario.Scenario;
import io.auditwatch.state.ExpiringState;
import io.auditwatch.state.TreeMapStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A benchmark, not a speed test: the default pack (rules and correlations) over every recorded scenario, parsed
 * once, many passes. It prints the rate; what it asserts is that a pass raises every alert the scenarios expect
 * of the pack's own rules (the node-graph analyses are not in this engine) and that every pass raises the same.
 */
class PackThroughputTest {
    private static final int PASSES = 40;

    private record Recorded(Scenario scenario, List<AuditEvent> events) {
    }

    @Test
    void shouldRaiseTheScenariosAlertsOnEveryPassAndPrintTheRate() throws IOException {
        AuditEventReader reader = new AuditEventReader(AuditEventReader.DEFAULT_MAX_EVENT_BYTES, "bench");
        List<Recorded> scenarios = new ArrayList<>();
        for (Scenario scenario : Scenario.all(Path.of("../replay-data/scenarios"))) {
            List<AuditEvent> events = new ArrayList<>();
            AuditLogFiles.forEachPayload(scenario.events(), payload -> events.addAll(reader.read(payload, 0).events()));
            scenarios.add(new Recorded(scenario, events));
        }
        RuleSet pack = RuleSet.defaults();
        Set<String> packIds = Stream.concat(pack.detections().stream().map(d -> d.rule().id()),
                pack.correlations().stream().map(c -> c.rule().id())).collect(Collectors.toSet());
        List<ExpectedAlert> expected = scenarios.stream().flatMap(r -> r.scenario().expected().stream())
                .filter(e -> packIds.contains(e.rule())).toList();
        assertFalse(expected.isEmpty(), "the scenarios expect alerts of the pack's rules");

        Engine engine = pack.engine(Duration.ofHours(1));
        int eventCount = scenarios.stream().mapToInt(r -> r.events().size()).sum();
        long perPass = -1;
        long start = System.nanoTime();
        for (int pass = 0; pass < PASSES; pass++) {
            long alerts = 0;
            for (Recorded recorded : scenarios) {
                ExpiringState state = new ExpiringState(new TreeMapStore());
                List<Alert> raised = new ArrayList<>();
                for (AuditEvent event : recorded.events()) {
                    state.advanceTo(event.eventTimeMillis());
                    raised.addAll(engine.process(event, state));
                }
                alerts += raised.size();
                if (pass == 0) {
                    List<ExpectedAlert> missing = recorded.scenario().missing(raised).stream()
                            .filter(e -> packIds.contains(e.rule())).toList();
                    assertEquals(List.of(), missing, recorded.scenario().name() + ": expected alerts not raised");
                }
            }
            if (perPass < 0) {
                perPass = alerts;
            }
            assertEquals(perPass, alerts, "pass " + pass);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("default pack (%d rules, %d correlations): %d events x %d passes in %.2f s = %.0f events/s"
                        + " on one thread, %d alerts per pass%n", pack.detections().size(), pack.correlations().size(),
                eventCount, PASSES, seconds, eventCount * PASSES / seconds, perPass);
    }
}
