package io.auditwatch.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.alert.Alert;
import io.auditwatch.alert.AlertCodec;
import io.auditwatch.broker.EmbeddedKafka;
import io.auditwatch.broker.SharedKafka;
import io.auditwatch.detector.DetectorApp;
import io.auditwatch.detector.DetectorConfig;
import io.auditwatch.ingest.AuditProducer;
import io.auditwatch.kafka.KafkaAdmin;
import io.auditwatch.kafka.Topics;
import io.auditwatch.replay.Replay;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rolling upgrade from the previous release: the topics and committed state that auditwatch 0.1.0 (bd6c680) left
 * after phase 1 of a story (replay-data/upgrade: pods created and bound, a token's sources learned, a distinct
 * count and a sequence half-way, a day-old first-seen baseline, four alerts committed) are restored into an empty
 * broker, and the current detector takes over the same application id: it restores the stores from the previous
 * version's changelogs (a new volume) or opens its state directory (the pod's volume), reads on from its committed
 * offsets, and processes phase 2.
 * What it commits must complete what replay gives on both phases, each alert exactly once.
 */
class UpgradeTest {
    @RegisterExtension
    static final SharedKafka KAFKA = SharedKafka.emptiedBeforeEachTest();
    static final Path UPGRADE = Path.of("../replay-data/upgrade");
    static final Path PREVIOUS = UPGRADE.resolve("0.1.0-bd6c680");
    static final Path PHASE_1 = UPGRADE.resolve("events/phase-1.jsonl");
    static final Path PHASE_2 = UPGRADE.resolve("events/phase-2.jsonl");

    @TempDir
    Path stateDir;

    /** A new pod on a new volume: the stores come from the previous version's changelogs. */
    @Test
    void shouldCompleteWhatThePreviousVersionStartedFromItsChangelogsAndCommitEveryAlertOfReplayOnce() throws Exception {
        String app = SharedKafka.uniqueId("upgrade");
        TopicDump.restore(PREVIOUS, KAFKA.bootstrapServers(), UpgradeFixtureRecorder.APPLICATION_ID, app,
                TopicDump.Changelogs.RECORDS);
        continueAndCheck(KAFKA.bootstrapServers(), app);
    }

    /**
     * The StatefulSet's rolling update: the new version opens the RocksDB state the previous one left on the pod's
     * volume. The changelogs hold only their offsets here, so the state can only come from that directory.
     */
    @Test
    void shouldCompleteWhatThePreviousVersionStartedFromTheStateDirectoryItLeft() throws Exception {
        // The stores name the changelog offsets they reflect by topic, so the application id stays the recorded
        // one, on a broker of its own (the shared broker's other tests must not meet this group).
        String app = UpgradeFixtureRecorder.APPLICATION_ID;
        try (EmbeddedKafka kafka = EmbeddedKafka.start(0, null)) {
            TopicDump.restore(PREVIOUS, kafka.bootstrapServers(), app, app, TopicDump.Changelogs.OFFSETS_ONLY);
            unzip(PREVIOUS.resolve(UpgradeFixtureRecorder.STATE), stateDir.resolve(app));
            continueAndCheck(kafka.bootstrapServers(), app);
        }
    }

    private void continueAndCheck(String bootstrap, String app) throws Exception {
        List<Alert> previous = TopicDump.records(PREVIOUS).stream().filter(e -> e.topic().equals(Topics.ALERTS))
                .map(e -> AlertCodec.fromJson(e.value())).toList();
        assertEquals(List.of("hostpath-pod", "rolebinding-changed", "secret-read-scripted-client",
                "secret-read-scripted-client"), rules(previous), "what the previous version committed in phase 1");

        DetectorConfig config = DetectorConfig.defaults(bootstrap, stateDir).withApplicationId(app)
                .withPartitions(UpgradeFixtureRecorder.PARTITIONS);
        try (DetectorApp detector = DetectorApp.start(config);
             AuditProducer producer = new AuditProducer(bootstrap)) {
            producer.sendFile(PHASE_2);
            KafkaAdmin.awaitProcessed(bootstrap, app, Set.of(Topics.AUDIT_EVENTS, Topics.GRAPH_FORWARDS,
                    Topics.INVENTORY), Duration.ofMinutes(2));
        }
        List<Alert> committed = TopicDump.read(bootstrap, IntStream.range(0, UpgradeFixtureRecorder.PARTITIONS)
                        .mapToObj(p -> new TopicPartition(Topics.ALERTS, p)).toList()).stream()
                .map(e -> AlertCodec.fromJson(e.value())).toList();

        List<Alert> expected = new ArrayList<>();
        new Replay(config.reader(), config.analyses()).run(List.of(PHASE_1, PHASE_2), expected::add, (f, r) -> { });
        Map<String, Long> times = committed.stream().collect(Collectors.groupingBy(Alert::id, TreeMap::new,
                Collectors.counting()));
        assertEquals(Map.of(), Map.copyOf(times.entrySet().stream().filter(e -> e.getValue() > 1)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue))), "alerts committed twice");
        assertEquals(byId(expected).keySet(), times.keySet(), "the alerts replay gives on phase 1 and phase 2");

        // What each carried-over state decides, named, so that a failure says which one was lost.
        List<String> fired = committed.stream().flatMap(a -> a.evidence().stream()
                .map(e -> a.rule().id() + " " + e.auditID())).toList();
        assertFired(fired, "secret-enumeration", "9531985d", "a distinct count: two secrets read before the upgrade");
        assertFired(fired, "rbac-change-then-workload-change", "fx-00331",
                "a sequence: its RBAC change before the upgrade");
        assertFired(fired, "node-credential-unrelated-access", "e180363a",
                "the node graph: a pod created and bound to another node before the upgrade");
        assertFired(fired, "node-token-foreign-source", "f3c1b2a4",
                "token sources: the token's node ranges watched since before the upgrade, past their learning period");
        assertFired(fired, "serviceaccount-new-source", "up-00338-0000-4000-8000-000000000004",
                "a first-seen baseline learned a day before the upgrade, not learned again");
        assertEquals(List.of("hostpath-pod"), rules(committed.stream()
                .filter(a -> a.evidence().stream().anyMatch(e -> e.auditID().startsWith("376e77a0"))).toList()),
                "a request that alerted before the upgrade, sent again after it, alerts once");
    }

    private static void unzip(Path zip, Path into) throws IOException {
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                Path file = into.resolve(entry.getName()).normalize();
                Files.createDirectories(file.getParent());
                Files.copy(in, file);
            }
        }
    }

    private static void assertFired(List<String> fired, String rule, String auditIdPrefix, String state) {
        assertTrue(fired.stream().anyMatch(k -> k.startsWith(rule + " " + auditIdPrefix)),
                rule + " on " + auditIdPrefix + " needs the state carried over: " + state);
    }

    private static List<String> rules(List<Alert> alerts) {
        return alerts.stream().map(a -> a.rule().id()).sorted().toList();
    }

    private static Map<String, Alert> byId(List<Alert> alerts) {
        return alerts.stream().collect(Collectors.toMap(Alert::id, Function.identity(), (a, b) -> a, TreeMap::new));
    }
}
