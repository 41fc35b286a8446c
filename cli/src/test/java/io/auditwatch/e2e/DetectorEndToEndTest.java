package io.auditwatch.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.auditwatch.alert.Alert;
import io.auditwatch.broker.SharedKafka;
import io.auditwatch.detector.DetectorApp;
import io.auditwatch.detector.DetectorConfig;
import io.auditwatch.kafka.KafkaAdmin;
import io.auditwatch.kafka.Topics;
import io.auditwatch.ingest.AuditProducer;
import io.auditwatch.notify.AlertSubscriber;
import io.auditwatch.replay.Replay;
import io.auditwatch.scenario.Scenario;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every scenario through a real broker, each on an emptied broker and a detector of its own (event time differs
 * between scenarios, and a detector's clocks must not carry one scenario's time into another).
 */
class DetectorEndToEndTest {
    @RegisterExtension
    static final SharedKafka KAFKA = SharedKafka.emptiedBeforeEachTest();
    private static final Path SCENARIOS = Path.of("../replay-data/scenarios");
    private static final Duration PATIENCE = Duration.ofSeconds(90);

    @TempDir
    Path stateDir;

    static List<Scenario> scenarios() {
        return Scenario.all(SCENARIOS);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void shouldRaiseExactlyTheExpectedAlertsThroughARealBrokerAndTheSameAsReplay(Scenario scenario) throws Exception {
        DetectorConfig config = DetectorConfig.defaults("unused", stateDir);
        List<Alert> replayed = new ArrayList<>();
        new Replay(config.reader(), config.analyses()).run(List.of(scenario.events()), replayed::add, (file, rejection) -> { });

        List<Alert> live = new ArrayList<>();
        String applicationId = SharedKafka.uniqueId("e2e-detector");
        try (DetectorApp detector = DetectorApp.start(DetectorConfig.defaults(KAFKA.bootstrapServers(), stateDir)
                .withApplicationId(applicationId));
             AlertSubscriber subscriber = new AlertSubscriber(KAFKA.bootstrapServers(), "e2e-alerts", false);
             AuditProducer producer = new AuditProducer(KAFKA.bootstrapServers())) {
            producer.sendFile(scenario.events());
            KafkaAdmin.awaitProcessed(KAFKA.bootstrapServers(), applicationId, Set.of(Topics.AUDIT_EVENTS), PATIENCE);
            // Everything is judged and committed; alerts were committed in the same transactions.
            subscriber.readToEnd(PATIENCE, live::add);
        }
        assertEquals(List.of(), scenario.missing(live), "expected alerts that never arrived");
        assertEquals(List.of(), scenario.unexpected(live), "alerts the scenario does not expect");
        assertEquals(ids(replayed), ids(live), "live and replay raise the same alert ids");
    }

    private static List<String> ids(List<Alert> alerts) {
        return alerts.stream().map(Alert::id).sorted().toList();
    }
}
