package io.auditwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.broker.SharedKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code replay --from-topic}: a time range of audit.events on a real (embedded KRaft) broker. */
class ReplayFromTopicTest {
    private static final Path SCENARIOS = Path.of("../replay-data/scenarios");
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    @RegisterExtension
    static final SharedKafka KAFKA = new SharedKafka();

    @BeforeAll
    static void start() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("audit.events", 3, (short) 1))).all().get();
        }
        // Written two hours ago: the pod scenario; one hour ago: the secret harvest.
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()),
                new StringSerializer(), new StringSerializer())) {
            send(producer, "compromised-pod", NOW.minus(2, ChronoUnit.HOURS));
            send(producer, "secret-harvest", NOW.minus(1, ChronoUnit.HOURS));
            producer.flush();
        }
    }

    private static void send(KafkaProducer<String, String> producer, String scenario, Instant written) throws Exception {
        List<String> lines = Files.readAllLines(SCENARIOS.resolve(scenario).resolve("events.jsonl"));
        for (int i = 0; i < lines.size(); i++) {
            // Keyed by line, so the events spread over every partition. One at a time: a topic just created (the
            // timestamps need CreateTime, so not KafkaAdmin's) may refuse the first writes until its leaders serve it,
            // and an idempotent producer with several batches in flight can then wedge (see KafkaAdmin).
            producer.send(new ProducerRecord<>("audit.events", null, written.toEpochMilli() + i, "k" + i, lines.get(i)))
                    .get();
        }
    }

    @Test
    void shouldReplayTheWholeTopicWhenNoRangeIsGiven() {
        CliRun run = new CliRun(Map.of(), "replay", "--from-topic", "audit.events",
                "--bootstrap-servers", KAFKA.bootstrapServers());

        assertEquals(0, run.exitCode, run.err.toString());
        assertTrue(run.err.toString().contains("replayed 144 events"), run.err.toString());
        assertTrue(run.out.toString().contains("pod-exec") && run.out.toString().contains("secret-enumeration"),
                run.out.toString());
    }

    @Test
    void shouldReplayOnlyTheRecordsWrittenInTheRange() {
        CliRun run = new CliRun(Map.of(), "replay", "--from-topic", "audit.events",
                "--bootstrap-servers", KAFKA.bootstrapServers(),
                "--since", NOW.minus(90, ChronoUnit.MINUTES).toString(), "--until", NOW.toString());

        assertEquals(0, run.exitCode, run.err.toString());
        assertTrue(run.err.toString().contains("replayed 36 events"), run.err.toString());
        assertTrue(run.out.toString().contains("secret-enumeration"), run.out.toString());
        assertTrue(!run.out.toString().contains("pod-exec"), run.out.toString());
    }

    @Test
    void shouldRefuseFilesAndATopicTogether() {
        CliRun run = new CliRun(Map.of(), "replay", "x.log", "--from-topic", "audit.events",
                "--bootstrap-servers", KAFKA.bootstrapServers());

        assertEquals(1, run.exitCode);
        assertEquals(List.of("auditwatch: give either --from-topic or INPUT files, not both"), run.errLines());
    }
}
