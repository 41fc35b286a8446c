package io.auditwatch.notify;

import io.auditwatch.kafka.DlqHeaders;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.auditwatch.alert.Alert;
import io.auditwatch.alert.AlertCodec;
import io.auditwatch.alert.Level;
import io.auditwatch.broker.SharedKafka;
import io.auditwatch.kafka.Topics;
import io.auditwatch.notify.pagerduty.PagerDutyEvent;
import io.auditwatch.notify.slack.SlackMessage;
import io.auditwatch.notify.testing.LoopbackReceiver;
import io.auditwatch.notify.testing.LoopbackReceiver.Answer;
import io.auditwatch.notify.testing.MutableClock;
import io.auditwatch.notify.testing.SampleAlerts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The notifier against a real broker and real HTTP receivers on loopback. */
class NotifierBrokerTest {
    static final String ROUTING_KEY = "R0UT1NGKEY0000000000000000000000";
    private static final ObjectMapper JSON = new ObjectMapper();
    @RegisterExtension
    static final SharedKafka KAFKA = new SharedKafka().withPipelineTopics();

    @TempDir
    Path dir;

    private static long produce(List<Alert> alerts) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            long last = -1;
            for (Alert a : alerts) {
                last = producer.send(new ProducerRecord<>(Topics.ALERTS, a.dedupKey(), AlertCodec.toBytes(a))).get().offset();
            }
            return last;
        }
    }

    private static void produceRaw(byte[] value) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.ALERTS, "bad", value)).get();
        }
    }

    private static long endOffset(String topic) throws Exception {
        try (Admin admin = admin()) {
            return admin.listOffsets(Map.of(new TopicPartition(topic, 0), OffsetSpec.latest())).all().get()
                    .get(new TopicPartition(topic, 0)).offset();
        }
    }

    private static long committed(String group) throws Exception {
        try (Admin admin = admin()) {
            OffsetAndMetadata o = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get()
                    .get(new TopicPartition(Topics.ALERTS, 0));
            return o == null ? -1 : o.offset();
        }
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()));
    }

    /** A group that starts where the topic ends now, so each test sees only its own alerts. */
    private static String groupAtEnd() throws Exception {
        String group = "notify-test-" + UUID.randomUUID();
        try (Admin admin = admin()) {
            admin.alterConsumerGroupOffsets(group, Map.of(new TopicPartition(Topics.ALERTS, 0),
                    new OffsetAndMetadata(endOffset(Topics.ALERTS)))).all().get();
        }
        return group;
    }

    /** Drives the loop on this thread until {@code done}; bounded so a bug fails instead of hanging. */
    private static void runUntil(Notifier notifier, BooleanSupplier done) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "not done within 60 s");
            notifier.runOnce(Duration.ofMillis(50));
        }
    }

    private static Set<String> dedupKeys(LoopbackReceiver pd) {
        return pd.accepted().stream().map(r -> read(r.text()).path("dedup_key").asText()).collect(Collectors.toSet());
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void shouldDeliverExactlyTheDocumentedPayloadsWhereTheRoutesSayAndCommitAfterward() throws Exception {
        String group = groupAtEnd();
        Alert critical = SampleAlerts.alert("c1", Level.CRITICAL);
        Alert medium = SampleAlerts.alert("m1", Level.MEDIUM);
        Alert info = SampleAlerts.alert("i1", Level.INFORMATIONAL);
        Alert hostile = SampleAlerts.alert("h1", Level.HIGH, "<!channel> *x* <https://evil|click>", "pod-exec:h1");
        long last = produce(List.of(critical, medium, info, hostile));
        try (LoopbackReceiver slack = LoopbackReceiver.slack(); LoopbackReceiver pd = LoopbackReceiver.pagerDuty();
             Notifier notifier = new Notifier(CrashingNotifier.config(KAFKA.bootstrapServers(), group,
                     Duration.ZERO, 3), CrashingNotifier.plan(slack.url("/services/T/B/X"), pd.url("")),
                     new MutableClock(Instant.now()), null)) {
            runUntil(notifier, () -> notifier.settled() == 4);
            assertEquals(List.of(), slack.violations());
            assertEquals(List.of(), pd.violations());
            assertEquals(Set.of(SlackMessage.payload(critical).toString(), SlackMessage.payload(medium).toString(),
                    SlackMessage.payload(hostile).toString()),
                    slack.accepted().stream().map(LoopbackReceiver.Request::text).collect(Collectors.toSet()),
                    "medium and above to Slack, informational nowhere");
            assertEquals(Set.of(PagerDutyEvent.trigger(critical, ROUTING_KEY).toString(),
                    PagerDutyEvent.trigger(hostile, ROUTING_KEY).toString()),
                    pd.accepted().stream().map(LoopbackReceiver.Request::text).collect(Collectors.toSet()),
                    "high and above page");
            String hostileSlack = slack.accepted().stream().map(LoopbackReceiver.Request::text)
                    .filter(t -> t.contains("evil")).findFirst().orElseThrow();
            for (JsonNode block : read(hostileSlack).path("blocks")) {
                assertFalse(block.toString().contains("<!channel>") || block.toString().contains("<https://"), block.toString());
            }
            runUntil(notifier, () -> {
                try {
                    return committed(group) == last + 1;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
        }
    }

    @Test
    void shouldNeitherPageTwiceNorLoseAnAlertWhenAnotherInstanceTakesOverFromOneKilledBetweenDeliveryAndCommit()
            throws Exception {
        String group = groupAtEnd();
        List<Alert> alerts = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            alerts.add(SampleAlerts.alert("k" + i, Level.HIGH));
        }
        long last = produce(alerts);
        try (LoopbackReceiver slack = LoopbackReceiver.slack(); LoopbackReceiver pd = LoopbackReceiver.pagerDuty()) {
            // One instance, in its own JVM, delivers all five and dies at its commit point.
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), CrashingNotifier.class.getName(),
                    KAFKA.bootstrapServers(), group, slack.url("/services/T/B/X").toString(),
                    pd.url("").toString(), "5")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
            assertTrue(child.waitFor(90, TimeUnit.SECONDS), "child did not finish");
            assertEquals(CrashingNotifier.EXIT_CODE, child.exitValue(), "the child must die at the commit point");
            assertEquals(5, slack.accepted().size());
            assertEquals(5, pd.accepted().size());
            long committedAtCrash = committed(group);
            assertTrue(committedAtCrash < last + 1, "the last delivery was not committed: " + committedAtCrash);

            // Another instance of the group, sharing nothing with the dead one but Kafka, takes the partition over.
            try (Notifier other = new Notifier(CrashingNotifier.config(KAFKA.bootstrapServers(), group,
                    Duration.ZERO, 3), CrashingNotifier.plan(slack.url("/services/T/B/X"), pd.url("")),
                    new MutableClock(Instant.now()), null)) {
                runUntil(other, () -> {
                    try {
                        return committed(group) == last + 1;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                assertTrue(other.settled() >= 1, "something was redelivered");
                assertEquals(last + 1 - committedAtCrash, other.settled(), "exactly the uncommitted ones came back");
            }
            assertEquals(5, slack.accepted().size(), "no alert posted twice");
            assertEquals(alerts.stream().map(a -> SlackMessage.payload(a).toString()).collect(Collectors.toSet()),
                    slack.accepted().stream().map(LoopbackReceiver.Request::text).collect(Collectors.toSet()),
                    "every alert posted");
            assertEquals(5, pd.accepted().size(), "no page twice");
            assertEquals(alerts.stream().map(Alert::dedupKey).collect(Collectors.toSet()), dedupKeys(pd));
        }
    }

    @Test
    void shouldSendAnAlertADestinationRefusesToTheDlqWithTheLastErrorAndCommit() throws Exception {
        String group = groupAtEnd();
        long dlqStart = endOffset(Topics.ALERTS_DLQ);
        Alert alert = SampleAlerts.alert("d1", Level.HIGH);
        produce(List.of(alert));
        produceRaw("{not an alert".getBytes(StandardCharsets.UTF_8));
        long end = endOffset(Topics.ALERTS);
        try (LoopbackReceiver slack = LoopbackReceiver.slack(); LoopbackReceiver pd = LoopbackReceiver.pagerDuty();
             Notifier notifier = new Notifier(CrashingNotifier.config(KAFKA.bootstrapServers(), group,
                     Duration.ZERO, 2), CrashingNotifier.plan(slack.url("/services/T/B/SECRETPART"), pd.url("")),
                     new MutableClock(Instant.now()), null)) {
            slack.script(new Answer(500, null, "down"), new Answer(503, "0", "still down"));
            runUntil(notifier, () -> notifier.settled() == 2);
            assertEquals(1, pd.accepted().size(), "PagerDuty was not held back by Slack");
            assertEquals(0, slack.accepted().size());
            runUntil(notifier, () -> {
                try {
                    return committed(group) == end;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
        }
        List<ConsumerRecord<String, byte[]>> dlq = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(Topics.ALERTS_DLQ, 0);
            consumer.assign(List.of(tp));
            consumer.seek(tp, dlqStart);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (dlq.size() < 2 && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(dlq::add);
            }
        }
        assertEquals(2, dlq.size());
        ConsumerRecord<String, byte[]> refused = dlq.stream().filter(r -> "soc".equals(header(r, DlqHeaders.DESTINATION)))
                .findFirst().orElseThrow();
        assertEquals(alert, AlertCodec.fromJson(refused.value()), "the alert itself, unchanged");
        assertEquals("HTTP 503 from slack soc: still down", header(refused, DlqHeaders.ERROR));
        assertEquals("2", header(refused, DlqHeaders.ATTEMPTS));
        ConsumerRecord<String, byte[]> garbage = dlq.stream()
                .filter(r -> Notifier.UNPARSEABLE.equals(header(r, DlqHeaders.DESTINATION))).findFirst().orElseThrow();
        assertEquals("{not an alert", new String(garbage.value(), StandardCharsets.UTF_8));
        assertTrue(header(garbage, DlqHeaders.ERROR).startsWith("not an alert: "), header(garbage, DlqHeaders.ERROR));
        for (ConsumerRecord<String, byte[]> r : dlq) {
            r.headers().forEach(h -> assertFalse(new String(h.value(), StandardCharsets.UTF_8).contains("SECRETPART")));
        }
    }

    @Test
    void shouldFoldRepeatsIntoOneMessageWhenTheWindowClosesAndCommitThemOnlyThen() throws Exception {
        String group = groupAtEnd();
        long start = endOffset(Topics.ALERTS);
        List<Alert> repeats = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            repeats.add(SampleAlerts.alert("r" + i, Level.MEDIUM, "alice@example.com", "pod-exec:same"));
        }
        long last = produce(repeats);
        MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));
        try (LoopbackReceiver slack = LoopbackReceiver.slack(); LoopbackReceiver pd = LoopbackReceiver.pagerDuty();
             Notifier notifier = new Notifier(CrashingNotifier.config(KAFKA.bootstrapServers(), group,
                     Duration.ofMinutes(5), 3), CrashingNotifier.plan(slack.url("/x"), pd.url("")), clock, null)) {
            runUntil(notifier, () -> notifier.settled() == 1);
            runUntil(notifier, () -> {
                try {
                    return committed(group) == start + 1;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            notifier.runOnce(Duration.ofMillis(200));
            assertEquals(1, slack.accepted().size(), "the first at once, the repeats held");
            assertEquals(start + 1, committed(group), "held repeats are not committed");

            clock.advance(Duration.ofMinutes(5));
            runUntil(notifier, () -> notifier.settled() == 4);
            assertEquals(2, slack.accepted().size(), "three repeats, one message");
            JsonNode group2 = read(slack.accepted().get(1).text());
            assertEquals("MEDIUM · Exec into a pod (×4)", group2.path("blocks").get(0).path("text").path("text").asText());
            runUntil(notifier, () -> {
                try {
                    return committed(group) == last + 1;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertEquals(List.of(), slack.violations());
            assertEquals(0, pd.accepted().size(), "medium does not page");
        }
    }

    @Test
    void shouldDeliverAnAlertOfAHigherLevelAtOnceInsteadOfHoldingItInTheLowerWindow() throws Exception {
        String group = groupAtEnd();
        Alert medium = SampleAlerts.alert("e0", Level.MEDIUM, "alice@example.com", "pod-exec:escalating");
        Alert mediumRepeat = SampleAlerts.alert("e1", Level.MEDIUM, "alice@example.com", "pod-exec:escalating");
        Alert high = SampleAlerts.alert("e2", Level.HIGH, "alice@example.com", "pod-exec:escalating");
        Alert highRepeat = SampleAlerts.alert("e3", Level.HIGH, "alice@example.com", "pod-exec:escalating");
        long last = produce(List.of(medium, mediumRepeat, high, highRepeat));
        MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));
        try (LoopbackReceiver slack = LoopbackReceiver.slack(); LoopbackReceiver pd = LoopbackReceiver.pagerDuty();
             Notifier notifier = new Notifier(CrashingNotifier.config(KAFKA.bootstrapServers(), group,
                     Duration.ofMinutes(5), 3), CrashingNotifier.plan(slack.url("/x"), pd.url("")), clock, null)) {
            // The clock never moves: nothing here waits for a window to close.
            runUntil(notifier, () -> notifier.settled() == 3);
            notifier.runOnce(Duration.ofMillis(200));
            assertEquals(List.of(), slack.violations());
            assertEquals(List.of(), pd.violations());
            List<String> posted = slack.accepted().stream().map(LoopbackReceiver.Request::text).toList();
            assertEquals(3, posted.size(), String.join("\n", posted));
            assertEquals(SlackMessage.payload(medium).toString(), posted.get(0), "the first medium at once");
            assertEquals("MEDIUM · Exec into a pod (×2)",
                    read(posted.get(1)).path("blocks").get(0).path("text").path("text").asText(),
                    "the held medium repeat, folded with the first, before the escalation");
            assertEquals(SlackMessage.payload(high).toString(), posted.get(2), "the high one at once, as itself");
            assertEquals(List.of(PagerDutyEvent.trigger(high, ROUTING_KEY).toString()),
                    pd.accepted().stream().map(LoopbackReceiver.Request::text).toList(), "paged at once");
            assertEquals(last, committed(group), "the high repeat is held in the high window, uncommitted");

            clock.advance(Duration.ofMinutes(5));
            runUntil(notifier, () -> notifier.settled() == 4);
            assertEquals("HIGH · Exec into a pod (×2)", read(slack.accepted().get(3).text()).path("blocks").get(0)
                    .path("text").path("text").asText());
        }
    }

    @Test
    void shouldSendHeldRepeatsBeforeAResolutionSoItIsTheLastWord() throws Exception {
        String group = groupAtEnd();
        Alert first = SampleAlerts.alert("f0", Level.HIGH, "alice@example.com", "pod-exec:resolving");
        Alert repeat = SampleAlerts.alert("f1", Level.HIGH, "alice@example.com", "pod-exec:resolving");
        Alert cleared = new Alert("f-cleared", first.rule(), first.cluster(), first.identity(), first.target(),
                first.summary(), first.explanation(), first.evidence(), first.firstSeen(), "2026-11-25T10:09:00Z", 1,
                first.dedupKey(), Alert.RESOLVED);
        long last = produce(List.of(first, repeat, cleared));
        try (LoopbackReceiver slack = LoopbackReceiver.slack(); LoopbackReceiver pd = LoopbackReceiver.pagerDuty();
             Notifier notifier = new Notifier(CrashingNotifier.config(KAFKA.bootstrapServers(), group,
                     Duration.ofMinutes(5), 3), CrashingNotifier.plan(slack.url("/x"), pd.url("")),
                     new MutableClock(Instant.parse("2026-11-25T10:00:00Z")), null)) {
            runUntil(notifier, () -> notifier.settled() == 3);
            assertEquals(List.of(), pd.violations());
            List<String> actions = pd.accepted().stream()
                    .map(r -> read(r.text()).path("event_action").asText() + " " + read(r.text()).path("dedup_key").asText())
                    .toList();
            assertEquals(List.of("trigger pod-exec:resolving", "trigger pod-exec:resolving", "resolve pod-exec:resolving"),
                    actions, "the first, the held repeat (no window close needed), then the resolution");
            assertEquals(List.of("HIGH · Exec into a pod", "HIGH · Exec into a pod (×2)", "RESOLVED · Exec into a pod"),
                    slack.accepted().stream().map(r -> read(r.text()).path("blocks").get(0).path("text").path("text")
                            .asText()).toList());
            runUntil(notifier, () -> {
                try {
                    return committed(group) == last + 1;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
        }
    }

    @Test
    void shouldTakeRoutesFromTheCompactedTopicRejectABadOneAndReturnToTheFilesOnATombstone() throws Exception {
        String group = groupAtEnd();
        String routesTopic = "routes-" + UUID.randomUUID();
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(routesTopic, 1, (short) 1)
                    .configs(Map.of("cleanup.policy", "compact")))).all().get();
        }
        publishRoutes(routesTopic, "{\"routes\": [{\"minLevel\": \"critical\", \"to\": [\"oncall\"]}]}");
        publishRoutes(routesTopic, "routes: [{to: [nowhere]}]");
        try (LoopbackReceiver slack = LoopbackReceiver.slack(); LoopbackReceiver pd = LoopbackReceiver.pagerDuty()) {
            io.auditwatch.notify.routing.Plan file = CrashingNotifier.plan(slack.url("/x"), pd.url(""));
            NotifierConfig config = CrashingNotifier.config(KAFKA.bootstrapServers(), group, Duration.ZERO, 3)
                    .withRoutesTopic(routesTopic);
            try (Notifier notifier = new Notifier(config, file, new MutableClock(Instant.now()), null)) {
                assertEquals(List.of(io.auditwatch.notify.routing.Route.atLeast(Level.CRITICAL, "oncall")),
                        notifier.routing().routes(), "the last good routes; the bad record was rejected");
                produce(List.of(SampleAlerts.alert("t1", Level.HIGH), SampleAlerts.alert("t2", Level.CRITICAL)));
                runUntil(notifier, () -> notifier.settled() == 2);
                assertEquals(Set.of("pod-exec:t2"), dedupKeys(pd), "only critical pages now");
                assertEquals(0, slack.all().size(), "and nothing goes to Slack");

                publishRoutes(routesTopic, null);
                runUntil(notifier, () -> notifier.routing().equals(file.routing()));
                produce(List.of(SampleAlerts.alert("t3", Level.MEDIUM)));
                runUntil(notifier, () -> notifier.settled() == 3);
                assertEquals(1, slack.accepted().size(), "the file's routes again: medium to Slack");
            }
        }
    }

    private static void publishRoutes(String topic, String yaml) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()),
                new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, "routes", yaml)).get();
        }
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
