package io.auditwatch.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.alert.Alert;
import io.auditwatch.alert.Level;
import io.auditwatch.broker.EmbeddedKafka;
import io.auditwatch.detector.DetectorApp;
import io.auditwatch.detector.DetectorConfig;
import io.auditwatch.kafka.KafkaAdmin;
import io.auditwatch.kafka.Topics;
import io.auditwatch.language.RuleSet;
import io.auditwatch.notify.AlertSubscriber;
import io.auditwatch.notify.CrashingNotifier;
import io.auditwatch.notify.Notifier;
import io.auditwatch.notify.slack.SlackMessage;
import io.auditwatch.notify.testing.LoopbackReceiver;
import io.auditwatch.replay.Replay;
import io.auditwatch.scenario.Scenario;
import io.auditwatch.testing.EventJson;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Event time through a real broker: it drives detection and never decides whether a record is accepted, kept or
 * judged twice. Each test has a broker of its own, not the shared one (SharedKafka): it checks retention every
 * half second (five minutes by default, and not a setting a running broker changes), so that records a retention
 * check would delete are gone within the test, and no detector clock carries over from another test.
 */
@Tag("slow") // Brokers of its own with fast retention checks (about 40 s): run by `mvn verify -Pslow` and CI
class EventTimeEndToEndTest {
    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private static final Instant NOW = Instant.now();

    @TempDir
    Path dir;

    private EmbeddedKafka kafka;

    private EmbeddedKafka broker() {
        kafka = EmbeddedKafka.start(0, null, Map.of("log.retention.check.interval.ms", "500"));
        return kafka;
    }

    @AfterEach
    void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void shouldKeepDetectingAfterAnEventDatedHalfAYearAhead() throws Exception {
        broker();
        String future = exec("future-1", NOW.plus(Duration.ofDays(180)));
        List<String> attack = List.of(exec("attack-1", NOW), secretRead("attack-2", NOW.plusSeconds(1)));
        List<String> expected = singleEventIds(replay(List.of(attack.get(0), attack.get(1), future)));
        try (DetectorApp detector = DetectorApp.start(DetectorConfig.defaults(kafka.bootstrapServers(), dir))) {
            send(future, attack.get(0), attack.get(1), attack.get(0));
            KafkaAdmin.awaitProcessed(kafka.bootstrapServers(), DetectorConfig.DEFAULT_APPLICATION_ID,
                    Set.of(Topics.AUDIT_EVENTS), PATIENCE);
            List<Alert> alerts = drainAlerts();
            assertEquals(3, expected.size(), "the future-dated exec, the exec and the secret read: " + expected);
            assertEquals(expected, singleEventIds(alerts), "the attack after the future-dated event alerts, once");
            Alert judged = alerts.stream().filter(a -> "future-1".equals(a.evidence().get(0).auditID())).findFirst()
                    .orElseThrow();
            Instant judgedAt = Instant.parse(judged.firstSeen());
            assertTrue(!judgedAt.isAfter(Instant.now()), "the future-dated event is judged at its arrival: " + judgedAt);
            assertEquals(Map.of(Topics.ALERTS, "LogAppendTime", Topics.AUDIT_EVENTS, "LogAppendTime"),
                    topicConfig(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, Topics.ALERTS, Topics.AUDIT_EVENTS));
        }
    }

    @Test
    void shouldDeliverEveryAlertOfAMonthOldLogThroughANotifierStartedLater() throws Exception {
        broker();
        // Topics an operator made with the broker's defaults (CreateTime, 7 days), which auditwatch leaves as they are.
        try (Admin admin = admin()) {
            admin.createTopics(Stream.of(Topics.AUDIT_EVENTS, Topics.ALERTS, Topics.ALERTS_DLQ)
                    .map(t -> new NewTopic(t, 1, (short) 1)).toList()).all().get(30, TimeUnit.SECONDS);
        }
        Instant monthAgo = NOW.minus(Duration.ofDays(30));
        List<String> log = List.of(exec("old-1", monthAgo), secretRead("old-2", monthAgo.plusSeconds(5)),
                portForward("old-3", monthAgo.plusSeconds(10)), exec("old-4", monthAgo.plusSeconds(15)));
        List<Alert> replayed = replay(log);
        try (DetectorApp detector = DetectorApp.start(DetectorConfig.defaults(kafka.bootstrapServers(), dir))) {
            send(log.toArray(String[]::new));
            KafkaAdmin.awaitProcessed(kafka.bootstrapServers(), DetectorConfig.DEFAULT_APPLICATION_ID,
                    Set.of(Topics.AUDIT_EVENTS), PATIENCE);
        }
        Thread.sleep(3_000); // six retention checks: alerts stamped with their event time would be gone by now

        List<String> expected = replayed.stream().filter(a -> a.rule().level().compareTo(Level.MEDIUM) >= 0)
                .map(a -> SlackMessage.payload(a).toString()).sorted().toList();
        assertTrue(replayed.size() >= 4, "an alert per attack request at least: " + replayed);
        try (LoopbackReceiver slack = LoopbackReceiver.slack(); LoopbackReceiver pd = LoopbackReceiver.pagerDuty();
             Notifier notifier = new Notifier(CrashingNotifier.config(kafka.bootstrapServers(), "late-notifier",
                     Duration.ZERO, 3), CrashingNotifier.plan(slack.url("/services/T/B/X"),
                     pd.url("")), Clock.systemUTC(), null)) {
            long deadline = System.nanoTime() + PATIENCE.toNanos();
            while (notifier.settled() < replayed.size() && System.nanoTime() < deadline) {
                notifier.runOnce(Duration.ofMillis(100));
            }
            assertEquals(replayed.size(), notifier.settled(), "every alert of the old log reached the notifier");
            assertEquals(expected, slack.accepted().stream().map(LoopbackReceiver.Request::text).sorted().toList());
        }
    }

    @Test
    void shouldAlertOnceForAttacksArrivingHoursAndDaysLateAndNeverForTheirCopies() throws Exception {
        broker();
        String clock = EventJson.event().auditID("clock").received(NOW.toString()).stageAt(NOW.toString()).json();
        List<String> threeHoursLate = attack("h3", NOW.minus(Duration.ofHours(3)));
        List<String> twoDaysLate = attack("d2", NOW.minus(Duration.ofDays(2)));
        List<String> inTimeOrder = new ArrayList<>(twoDaysLate);
        inTimeOrder.addAll(threeHoursLate);
        inTimeOrder.add(clock);
        List<String> expected = singleEventIds(replay(inTimeOrder));
        try (DetectorApp detector = DetectorApp.start(DetectorConfig.defaults(kafka.bootstrapServers(), dir))) {
            send(clock);
            // Late means the detector's clock has moved on when they arrive: records on different partitions of
            // audit.events are processed in no fixed order, so wait until it has.
            KafkaAdmin.awaitProcessed(kafka.bootstrapServers(), DetectorConfig.DEFAULT_APPLICATION_ID,
                    Set.of(Topics.AUDIT_EVENTS), PATIENCE);
            send(threeHoursLate.toArray(String[]::new));
            send(twoDaysLate.toArray(String[]::new));
            // Shippers re-send both after an outage, as one batch each.
            send(EventJson.eventList(threeHoursLate.toArray(String[]::new)), EventJson.eventList(twoDaysLate.toArray(String[]::new)));
            KafkaAdmin.awaitProcessed(kafka.bootstrapServers(), DetectorConfig.DEFAULT_APPLICATION_ID,
                    Set.of(Topics.AUDIT_EVENTS), PATIENCE);
            List<String> live = singleEventIds(drainAlerts());
            assertEquals(6, expected.size(), "an exec, a secret read and a port-forward per attack: " + expected);
            assertEquals(expected, live, "each single-event alert of the late attacks once, as replay raises them");
        }
    }

    @Test
    void shouldNeverAlertAgainForBatchesResentHoursOlderThanTheNewestEvent() throws Exception {
        broker();
        List<String> batches = new ArrayList<>();
        List<String> inTimeOrder = new ArrayList<>();
        for (int hours : List.of(23, 6, 1)) {
            List<String> attack = attack("r" + hours, NOW.minus(Duration.ofHours(hours)));
            batches.add(EventJson.eventList(attack.toArray(String[]::new)));
            inTimeOrder.addAll(attack);
        }
        inTimeOrder.add(exec("newest", NOW));
        List<String> expected = singleEventIds(replay(inTimeOrder));
        try (DetectorApp detector = DetectorApp.start(DetectorConfig.defaults(kafka.bootstrapServers(), dir))) {
            send(exec("newest", NOW));
            send(batches.toArray(String[]::new));
            KafkaAdmin.awaitProcessed(kafka.bootstrapServers(), DetectorConfig.DEFAULT_APPLICATION_ID,
                    Set.of(Topics.AUDIT_EVENTS), PATIENCE);
            send(batches.toArray(String[]::new));
            send(exec("newest", NOW));
            KafkaAdmin.awaitProcessed(kafka.bootstrapServers(), DetectorConfig.DEFAULT_APPLICATION_ID,
                    Set.of(Topics.AUDIT_EVENTS), PATIENCE);
            assertEquals(10, expected.size(), "three alerts per batch and the newest exec: " + expected);
            assertEquals(expected, singleEventIds(drainAlerts()), "no copy alerted again");
        }
    }

    /**
     * Every scenario at once, each split over three partitions and interleaved with the others (whose dates differ
     * by days, so most arrive after the detector's clock has moved past them), one part of each held back until
     * after an event hours newer than all of them: the single-event alerts are those replay raises on each
     * time-sorted file, none twice. Windowed detections (thresholds, sequences, the node graph's grace window) judge
     * late events by the clock they find; docs/architecture.md says how.
     */
    @Test
    void shouldRaiseTheSameSingleEventAlertsAsReplayWhateverTheArrivalOrder() throws Exception {
        broker();
        List<String> expected = new ArrayList<>();
        List<List<String>> parts = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        Instant latest = Instant.EPOCH;
        for (Scenario scenario : Scenario.all(Path.of("../replay-data/scenarios"))) {
            List<String> lines = Files.readAllLines(scenario.events(), StandardCharsets.UTF_8).stream()
                    .filter(l -> !l.isBlank()).toList();
            expected.addAll(singleEventIds(replay(lines)));
            for (String line : lines) {
                Instant time = receivedAt(line);
                latest = time != null && time.isAfter(latest) ? time : latest;
            }
            for (int i = 0; i < lines.size(); i++) {
                parts.get(i % 3).add(lines.get(i));
            }
        }
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(Topics.AUDIT_EVENTS, 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        List<Alert> live;
        try (DetectorApp detector = DetectorApp.start(DetectorConfig.defaults(kafka.bootstrapServers(), dir));
             KafkaProducer<byte[], byte[]> producer = producer()) {
            int longest = Math.max(parts.get(0).size(), parts.get(1).size());
            for (int i = 0; i < longest; i++) {
                for (int p = 0; p < 2; p++) {
                    if (i < parts.get(p).size()) {
                        producer.send(new ProducerRecord<>(Topics.AUDIT_EVENTS, p, null, bytes(parts.get(p).get(i))));
                    }
                }
            }
            String clockMover = EventJson.event().auditID("clock-mover").received(latest.plus(Duration.ofHours(6)).toString())
                    .stageAt(latest.plus(Duration.ofHours(6)).toString()).json();
            for (int p = 0; p < 3; p++) {
                producer.send(new ProducerRecord<>(Topics.AUDIT_EVENTS, p, null, bytes(clockMover)));
            }
            for (String line : parts.get(2)) {
                producer.send(new ProducerRecord<>(Topics.AUDIT_EVENTS, 2, null, bytes(line)));
            }
            producer.flush();
            KafkaAdmin.awaitProcessed(kafka.bootstrapServers(), DetectorConfig.DEFAULT_APPLICATION_ID,
                    Set.of(Topics.AUDIT_EVENTS), PATIENCE);
            live = drainAlerts();
        }
        // Two scenarios share requests (the same attack on clusters before and after 1.30): one request, one alert.
        List<String> distinct = expected.stream().distinct().sorted().toList();
        assertTrue(distinct.size() >= 7, "the scenarios raise single-event alerts: " + distinct.size());
        assertEquals(distinct, singleEventIds(live), "none missing, none twice");
    }

    /** An exec, a secret read and a port-forward at {@code time}; exec and port-forward logged at both stages. */
    private static List<String> attack(String tag, Instant time) {
        return List.of(exec(tag + "-exec", time), EventJson.podExec().auditID(tag + "-exec").stage("ResponseComplete")
                        .received(time.toString()).stageAt(time.plusSeconds(40).toString()).json(),
                secretRead(tag + "-secret", time.plusSeconds(5)), portForward(tag + "-forward", time.plusSeconds(10)),
                EventJson.portForward().auditID(tag + "-forward").stage("ResponseComplete")
                        .received(time.plusSeconds(10).toString()).stageAt(time.plusSeconds(300).toString()).json());
    }

    private static String exec(String auditId, Instant time) {
        return EventJson.podExec().auditID(auditId).received(time.toString()).stageAt(time.toString()).json();
    }

    private static String secretRead(String auditId, Instant time) {
        return EventJson.secretGet().auditID(auditId).received(time.toString()).stageAt(time.toString()).json();
    }

    private static String portForward(String auditId, Instant time) {
        return EventJson.portForward().auditID(auditId).received(time.toString()).stageAt(time.toString()).json();
    }

    /** Replay's alerts on {@code lines}, which are in time order. */
    private List<Alert> replay(List<String> lines) throws Exception {
        Path file = Files.createTempFile(dir, "replay", ".jsonl");
        Files.write(file, lines, StandardCharsets.UTF_8);
        DetectorConfig config = DetectorConfig.defaults("unused", dir);
        List<Alert> alerts = new ArrayList<>();
        new Replay(config.reader(), config.analyses()).run(List.of(file), alerts::add, (f, rejection) -> { });
        return alerts;
    }

    private static Instant receivedAt(String line) {
        String time = EventJson.tree(line).path("requestReceivedTimestamp").asText(null);
        return time == null ? null : Instant.parse(time);
    }

    /**
     * The alerts that single-event detections raised, sorted, as their ids, which repeat only if an alert was
     * repeated. A rule whose finding is a workload alerts once per template revision, on whichever of its pods comes
     * first, so its alerts are compared by finding (dedup key) instead.
     */
    private static List<String> singleEventIds(List<Alert> alerts) {
        Map<String, Boolean> perWorkload = new HashMap<>();
        RuleSet.defaults().detections().forEach(d -> perWorkload.put(d.rule().id(), d.perWorkload()));
        return alerts.stream().filter(a -> perWorkload.containsKey(a.rule().id()))
                .map(a -> perWorkload.get(a.rule().id()) ? "finding " + a.dedupKey() : a.id()).sorted().toList();
    }

    private KafkaProducer<byte[], byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true), new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Each value as its own record, in order, as kcat or a shipper produces them. */
    private void send(String... values) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (String value : values) {
                producer.send(new ProducerRecord<>(Topics.AUDIT_EVENTS, bytes(value))).get();
            }
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Every committed alert, after the detector has committed its input. */
    private List<Alert> drainAlerts() {
        List<Alert> alerts = new ArrayList<>();
        try (AlertSubscriber subscriber = new AlertSubscriber(kafka.bootstrapServers(), "time-test-drain", false)) {
            subscriber.readToEnd(Duration.ofSeconds(30), alerts::add);
        }
        return alerts;
    }

    private static List<String> auditIds(List<Alert> alerts) {
        return alerts.stream().map(a -> a.evidence().get(0).auditID()).toList();
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }

    private Map<String, String> topicConfig(String name, String... topics) throws Exception {
        try (Admin admin = admin()) {
            Map<ConfigResource, Config> configs = admin.describeConfigs(Stream.of(topics)
                    .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList()).all().get(30, TimeUnit.SECONDS);
            Map<String, String> values = new HashMap<>();
            configs.forEach((resource, config) -> values.put(resource.name(), config.get(name).value()));
            return values;
        }
    }
}
