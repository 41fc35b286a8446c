package io.auditwatch.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.alert.Alert;
import io.auditwatch.broker.SharedKafka;
import io.auditwatch.kafka.KafkaAdmin;
import io.auditwatch.kafka.Topics;
import io.auditwatch.ingest.AuditProducer;
import io.auditwatch.notify.AlertSubscriber;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two detector instances, separate JVMs with one application id, share four partitions; one is killed with
 * SIGKILL while it processes and comes back later. Every alert that replay gives on the same input is committed
 * exactly once (read_committed).
 */
@Tag("slow")
class DetectorFailoverTest {
    /** The detectors are killed, the broker is not: the shared one serves. */
    @RegisterExtension
    static final SharedKafka KAFKA = new SharedKafka();
    private static final int EVENTS = 20_000;

    private final String app = SharedKafka.uniqueId("failover-detector");

    @TempDir
    Path dir;

    private Process detector(String bootstrap, String name) throws Exception {
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.auditwatch.cli.Main", "run", "detector",
                "--bootstrap-servers", bootstrap, "--application-id", app, "--partitions", "4",
                "--stream-threads", "1", "--state-dir", dir.resolve(name).toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile()).start();
    }

    @Test
    void shouldCommitEveryAlertOfReplayExactlyOnceWhenOneOfTwoInstancesIsKilledAndComesBack() throws Exception {
        FailoverInput input = new FailoverInput(EVENTS, dir.resolve("replay"));
        List<byte[]> events = input.events;
        List<Alert> expected = input.expected;
        assertTrue(expected.size() > 10, "the mix raises alerts: " + expected.size());

        String bootstrap = KAFKA.bootstrapServers();
        KafkaAdmin.ensureTopics(bootstrap, 4, Duration.ofSeconds(30));
        Process first = detector(bootstrap, "first");
        Process second = detector(bootstrap, "second");
        List<Alert> committed = new ArrayList<>();
        try (AlertSubscriber alerts = new AlertSubscriber(bootstrap, "failover-check", false);
             AuditProducer producer = new AuditProducer(bootstrap)) {
            List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
            for (byte[] event : events) {
                records.add(AuditProducer.record(Topics.AUDIT_EVENTS, event, null));
            }
            producer.sendAll(records);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (committed.size() < expected.size() / 4 && System.nanoTime() < deadline) {
                alerts.pollOnce(Duration.ofMillis(200), committed::add);
            }
            assertTrue(committed.size() < expected.size(), "killed while processing: "
                    + committed.size() + " of " + expected.size() + " alerts committed");
            first.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL: no goodbye to the group
            alerts.pollOnce(Duration.ofSeconds(5), committed::add);
            first = detector(bootstrap, "first"); // back, with the state its volume kept
            KafkaAdmin.awaitProcessed(bootstrap, app, Set.of(Topics.AUDIT_EVENTS), Duration.ofMinutes(5));
            alerts.readToEnd(Duration.ofSeconds(60), committed::add);
        } finally {
            first.destroy();
            second.destroy();
            first.waitFor(60, TimeUnit.SECONDS);
            second.waitFor(60, TimeUnit.SECONDS);
        }
        assertEquals("0 missing, 0 unexpected, 0 twice", input.compare(committed), input.detail(committed));
    }
}
