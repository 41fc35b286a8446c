package io.auditwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.broker.SharedKafka;
import io.auditwatch.event.EventCodec;
import io.auditwatch.event.WireFormat;
import io.auditwatch.kafka.KafkaAdmin;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import io.auditwatch.kafka.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A detector beside another version of auditwatch on its application id, through the command as an operator runs
 * it: it refuses to start, or stops, with exit status 3 and a message that names both versions and what to do,
 * instead of processing records or state it cannot read.
 */
class DetectorUpgradeRefusalTest {
    @RegisterExtension
    static final SharedKafka KAFKA = new SharedKafka();
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @TempDir
    Path stateDir;

    private String[] detector(String app) {
        return new String[] {"run", "detector", "--bootstrap-servers", KAFKA.bootstrapServers(), "--application-id", app,
            "--partitions", "1", "--state-dir", stateDir.toString()};
    }

    @Test
    void shouldRefuseToStartBesideAnInstanceThatAdvertisesAnotherWireFormat() throws Exception {
        String app = SharedKafka.uniqueId("refusal");
        KafkaAdmin.ensureTopics(KAFKA.bootstrapServers(), 1, Duration.ofSeconds(30));
        int newer = WireFormat.VERSION + 1;
        // A newer detector's member, as Kafka Streams names its consumer after the advertised client id.
        String member = app + "-5e6f7a8b-wireformat" + newer + "-StreamThread-1-consumer";
        try (KafkaConsumer<byte[], byte[]> running = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers(), ConsumerConfig.GROUP_ID_CONFIG, app,
                ConsumerConfig.CLIENT_ID_CONFIG, member), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            running.subscribe(List.of(Topics.AUDIT_EVENTS));
            long deadline = System.nanoTime() + PATIENCE.toNanos();
            while (running.assignment().isEmpty() && System.nanoTime() < deadline) {
                running.poll(Duration.ofMillis(100));
            }
            assertFalse(running.assignment().isEmpty(), "the other version's instance joined the group");

            CliRun run = new CliRun(Map.of(), detector(app));

            assertEquals(RunCommand.INCOMPATIBLE_FORMAT, run.exitCode, run.err.toString());
            String message = run.err.toString();
            for (String part : List.of("'" + app + "'", member, "wire format " + newer, "wire format " + WireFormat.VERSION,
                    "scale the detector to zero", "docs/architecture.md#upgrades")) {
                assertTrue(message.contains(part), "names " + part + ": " + message);
            }
        }
    }

    @Test
    void shouldStopWithoutRetryingWhenARepartitionRecordIsInANewerAuditwatchsFormat() throws Exception {
        String app = SharedKafka.uniqueId("newer-record");
        AtomicReference<CliRun> run = new AtomicReference<>();
        Thread detector = new Thread(() -> run.set(new CliRun(Map.of(), detector(app))), "detector");
        detector.start();
        String byIdentity = app + "-by-identity-repartition";
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()))) {
            long deadline = System.nanoTime() + PATIENCE.toNanos();
            while (!admin.listTopics().names().get().contains(byIdentity) && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
        }
        byte newer = (byte) (EventCodec.FORMAT + 1);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(byIdentity, 0, "alice@example.com".getBytes(StandardCharsets.UTF_8),
                    new byte[] {newer, 0, 1, 2})).get();
        }
        detector.join(TimeUnit.SECONDS.toMillis(PATIENCE.toSeconds()));

        assertFalse(detector.isAlive(), "the detector stopped on its own");
        assertEquals(RunCommand.INCOMPATIBLE_FORMAT, run.get().exitCode, run.get().err.toString());
        String message = run.get().err.toString();
        for (String part : List.of(byIdentity, "event format " + newer, "newer auditwatch",
                "scale the detector to zero", "docs/architecture.md#upgrades")) {
            assertTrue(message.contains(part), "names " + part + ": " + message);
        }
    }
}
