package io.auditwatch.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.auditwatch.alert.Alert;
import io.auditwatch.alert.AlertCodec;
import io.auditwatch.broker.SharedKafka;
import io.auditwatch.detector.DetectorConfig;
import io.auditwatch.ingest.AuditProducer;
import io.auditwatch.kafka.KafkaAdmin;
import io.auditwatch.kafka.Topics;
import io.auditwatch.replay.Replay;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The StatefulSet's rolling update from a released detector, with the release itself: two instances of it (static
 * members named after their pods, as deploy/ runs them) process phase 1; then each in turn is stopped with SIGTERM
 * and replaced by the current detector on its state directory, and phase 2 arrives while the group holds one old
 * and one new instance, which hand each other events and state. Every alert replay gives on both phases is
 * committed exactly once.
 *
 * <p>Needs the release's launcher ({@code -Dauditwatch.previous.launcher=/tmp/prev/auditwatch}, built as
 * replay-data/upgrade/README.md says); without it the test is skipped.
 */
@Tag("slow")
class RollingUpgradeTest {
    @RegisterExtension
    static final SharedKafka KAFKA = new SharedKafka();
    private static final String LAUNCHER = System.getProperty("auditwatch.previous.launcher");
    private static final Duration PATIENCE = Duration.ofMinutes(3);

    private final String app = SharedKafka.uniqueId("rolling");

    @TempDir
    Path dir;

    private Process detector(List<String> command, String pod) throws Exception {
        Path config = dir.resolve(pod + ".properties");
        Files.writeString(config, "group.instance.id=" + pod + "\n");
        List<String> args = new ArrayList<>(command);
        args.addAll(List.of("run", "detector", "--bootstrap-servers", KAFKA.bootstrapServers(),
                "--kafka-config", config.toString(), "--application-id", app, "--partitions", "2",
                "--stream-threads", "1", "--state-dir", dir.resolve(pod).toString()));
        return new ProcessBuilder(args).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(pod + ".log").toFile())).start();
    }

    private Process previous(String pod) throws Exception {
        return detector(List.of(Path.of(LAUNCHER).toAbsolutePath().toString()), pod);
    }

    private Process current(String pod) throws Exception {
        return detector(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.auditwatch.cli.Main"), pod);
    }

    private void send(Path events) throws Exception {
        try (AuditProducer producer = new AuditProducer(KAFKA.bootstrapServers())) {
            producer.sendFile(events);
        }
        KafkaAdmin.awaitProcessed(KAFKA.bootstrapServers(), app,
                Set.of(Topics.AUDIT_EVENTS, Topics.GRAPH_FORWARDS, Topics.INVENTORY), PATIENCE);
    }

    private static void stop(Process old) throws Exception {
        old.destroy(); // SIGTERM, as the kubelet stops a pod
        assertTrue(old.waitFor(90, TimeUnit.SECONDS), "the old instance stopped");
    }

    @Test
    void shouldCommitEveryAlertOfReplayOnceThroughARollingUpdateFromThePreviousRelease() throws Exception {
        assumeTrue(LAUNCHER != null && Files.isExecutable(Path.of(LAUNCHER)),
                "no previous release to upgrade from: give -Dauditwatch.previous.launcher=<its ./auditwatch>");
        KafkaAdmin.ensureTopics(KAFKA.bootstrapServers(), 2, Duration.ofSeconds(30));
        Process pod0 = previous("detector-0");
        Process pod1 = previous("detector-1");
        try {
            send(UpgradeTest.PHASE_1);
            stop(pod1);
            pod1 = current("detector-1"); // the pod's volume: the state directory the release left
            send(UpgradeTest.PHASE_2); // one old and one new instance in the group
            stop(pod0);
            pod0 = current("detector-0");
            KafkaAdmin.awaitProcessed(KAFKA.bootstrapServers(), app,
                    Set.of(Topics.AUDIT_EVENTS, Topics.GRAPH_FORWARDS, Topics.INVENTORY), PATIENCE);
        } finally {
            for (Process p : List.of(pod0, pod1)) {
                p.destroy();
                p.waitFor(60, TimeUnit.SECONDS);
            }
        }
        List<String> committed = TopicDump.read(KAFKA.bootstrapServers(), IntStream.range(0, 2)
                        .mapToObj(p -> new TopicPartition(Topics.ALERTS, p)).toList()).stream()
                .map(e -> AlertCodec.fromJson(e.value()).id()).sorted().toList();
        DetectorConfig config = DetectorConfig.defaults("unused", dir.resolve("replay"));
        List<Alert> expected = new ArrayList<>();
        new Replay(config.reader(), config.analyses()).run(List.of(UpgradeTest.PHASE_1, UpgradeTest.PHASE_2),
                expected::add, (f, r) -> { });
        assertEquals(expected.stream().map(Alert::id).sorted().toList(), committed,
                "each alert of replay committed once; logs in " + dir);
    }
}
