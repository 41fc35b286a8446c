package io.auditwatch.detector;

import io.auditwatch.kafka.Topics;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.alert.Alert;
import io.auditwatch.event.AuditLogFiles;
import io.auditwatch.replay.Replay;
import io.auditwatch.scenario.Scenario;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Live (the topology) and replay (the engine over files) must raise the same alerts on every scenario. */
class ReplayDifferentialTest {
    static final Path SCENARIOS = Path.of("../replay-data/scenarios");

    @TempDir
    Path stateDir;

    static Stream<Scenario> scenarios() {
        List<Scenario> all = Scenario.all(SCENARIOS);
        assertFalse(all.isEmpty(), "no scenarios found under " + SCENARIOS.toAbsolutePath());
        return all.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void shouldRaiseTheSameAlertsLiveAndInReplay(Scenario scenario) throws IOException {
        DetectorConfig config = DetectorConfig.defaults("unused:9092", stateDir);
        List<Alert> replayed = new ArrayList<>();
        new Replay(config.reader(), config.analyses())
                .run(List.of(scenario.events()), replayed::add, (file, rejection) -> { });

        List<Alert> live;
        try (TopologyTestDriver driver = new TopologyTestDriver(DetectorTopology.build(config),
                DetectorApp.properties(config))) {
            TestInputTopic<byte[], byte[]> input = driver.createInputTopic(Topics.AUDIT_EVENTS,
                    new ByteArraySerializer(), new ByteArraySerializer());
            Instant ingest = Instant.parse("2026-11-25T00:00:00Z");
            AuditLogFiles.forEachPayload(scenario.events(), line -> input.pipeInput(null, line, ingest));
            live = driver.createOutputTopic(Topics.ALERTS, new StringDeserializer(), AlertSerde.create().deserializer())
                    .readValuesToList();
        }

        assertEquals(ids(replayed), ids(live), "same alert ids live and in replay");
        assertEquals(replayed, live, "same alerts, field by field");
        assertTrue(scenario.missing(live).isEmpty(), "missing: " + scenario.missing(live));
        assertTrue(scenario.unexpected(live).isEmpty(), "unexpected: " + scenario.unexpected(live));
    }

    private static List<String> ids(List<Alert> alerts) {
        return alerts.stream().map(Alert::id).sorted().toList();
    }
}
