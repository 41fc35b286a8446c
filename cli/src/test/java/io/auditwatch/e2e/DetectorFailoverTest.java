package io.auditwatch.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.alert.Alert;
import io.auditwatch.bench.EventMix;
import io.auditwatch.broker.SharedKafka;
import io.auditwatch.detector.DetectorConfig;
import io.auditwatch.kafka.KafkaAdmin;
import io.auditwatch.kafka.Topics;
import io.auditwatch.ingest.AuditProducer;
import io.auditwatch.notify.AlertSubscriber;
import io.auditwatch.replay.Replay;
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

    private final String app = SharedKafka.uniqueId("failover-detector");
    private static final int EVENTS = 20_000;

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
        List<byte[]> events = new ArrayList<>();
        EventMix mix = new EventMix(1, 10, 300, 2_000);
        for (int i = 0; i < EVENTS; i++) {
            events.add(mix.next().json());
        }
        DetectorConfig config = DetectorConfig.defaults("unused", dir.resolve("replay"));
        Replay replay = new Replay(config.reader(), config.analyses());
        List<Alert> expected = new ArrayList<>();
        for (byte[] event : events) {
            replay.accept(event, 0, expected::add, r -> { });
        }
        // Not replay.finish(): verdicts still inside their grace window at the end of the input wait, live, for
        // later events; the comparison is of what both have decided.
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
            while (alerts.pollOnce(Duration.ofSeconds(2), committed::add) > 0) {
                // drain what the last transactions committed
            }
        } finally {
            first.destroy();
            second.destroy();
            first.waitFor(60, TimeUnit.SECONDS);
            second.waitFor(60, TimeUnit.SECONDS);
        }
        List<String> want = ids(expected);
        List<String> got = ids(committed);
        List<String> missing = want.stream().filter(id -> !got.contains(id)).toList();
        List<String> unexpected = got.stream().filter(id -> !want.contains(id)).distinct().toList();
        long twice = got.size() - got.stream().distinct().count();
        assertEquals("0 missing, 0 unexpected, 0 twice", missing.size() + " missing, " + unexpected.size()
                + " unexpected, " + twice + " twice", "of " + want.size() + " alerts; missing rules "
                + rules(expected, missing) + ", unexpected rules " + rules(committed, unexpected));
    }

    private static java.util.Map<String, Long> rules(List<Alert> alerts, List<String> ids) {
        return alerts.stream().filter(a -> ids.contains(a.id())).collect(java.util.stream.Collectors.groupingBy(
                a -> a.rule().id(), java.util.TreeMap::new, java.util.stream.Collectors.counting()));
    }

    private static List<String> ids(List<Alert> alerts) {
        return alerts.stream().map(Alert::id).sorted().toList();
    }
}
