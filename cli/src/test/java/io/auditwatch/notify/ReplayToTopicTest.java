package io.auditwatch.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.alert.Alert;
import io.auditwatch.alert.AlertCodec;
import io.auditwatch.alert.Level;
import io.auditwatch.broker.SharedKafka;
import io.auditwatch.cli.Main;
import io.auditwatch.kafka.Topics;
import io.auditwatch.investigate.AlertPublisher;
import io.auditwatch.notify.routing.Plan;
import io.auditwatch.notify.routing.Route;
import io.auditwatch.notify.routing.Routing;
import io.auditwatch.notify.testing.LoopbackReceiver;
import io.auditwatch.notify.webhook.WebhookDestination;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code replay --to-topic} on a real (embedded KRaft) broker with a real notifier delivering to a loopback
 * webhook: replayed alerts arrive marked, and an alert that live detection already delivered is not sent again.
 */
class ReplayToTopicTest {
    private static final Path SCENARIOS = Path.of("../replay-data/scenarios");
    @RegisterExtension
    static final SharedKafka KAFKA = new SharedKafka().withPipelineTopics();

    @TempDir
    Path dir;

    private static void replay(String... args) {
        CommandLine cl = Main.commandLine(Map.of());
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(new StringWriter(), true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        assertEquals(0, exit, err.toString());
    }

    private static void runUntil(Notifier notifier, java.util.function.BooleanSupplier done) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "not done within 60 s");
            notifier.runOnce(Duration.ofMillis(50));
        }
    }

    @Test
    void shouldPublishReplayedAlertsMarkedAndNeverDeliverOneLiveAlreadyDelivered() throws Exception {
        // Live detection raised and delivered the compromised-pod alerts (the same ids replay gives them).
        Path live = dir.resolve("live.jsonl");
        replay("replay", SCENARIOS.resolve("compromised-pod/events.jsonl").toString(), "--alerts-out", live.toString());
        List<Alert> liveAlerts = Files.readAllLines(live).stream().map(AlertCodec::fromJson).toList();
        assertEquals(6, liveAlerts.size(), "compromised-pod's expected alerts");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            for (Alert a : liveAlerts) {
                producer.send(new ProducerRecord<>(Topics.ALERTS, a.dedupKey(), AlertCodec.toBytes(a))).get();
            }
        }
        long marked;
        String group = "replay-to-topic-" + UUID.randomUUID();
        try (LoopbackReceiver hook = LoopbackReceiver.webhook()) {
            Plan plan = new Plan(List.of(new WebhookDestination("siem", hook.url("/in"), "k", Duration.ZERO)),
                    new Routing(List.of(Route.atLeast(Level.INFORMATIONAL, "siem"))));
            try (Notifier notifier = new Notifier(CrashingNotifier.config(KAFKA.bootstrapServers(), group,
                    Duration.ZERO, 3), plan, Clock.systemUTC(), null)) {
                // Delivered means settled: a 2xx not yet recorded is the at-least-once window of a stop.
                runUntil(notifier, () -> notifier.settled() >= liveAlerts.size());
            }

            // A back-fill: the same log and another one, replayed into the pipeline.
            Path backfill = dir.resolve("backfill.jsonl");
            replay("replay", SCENARIOS.resolve("compromised-pod/events.jsonl").toString(),
                    SCENARIOS.resolve("secret-harvest/events.jsonl").toString(), "--alerts-out", backfill.toString(),
                    "--to-topic", "--bootstrap-servers", KAFKA.bootstrapServers());
            Set<String> backfillIds = Files.readAllLines(backfill).stream().map(AlertCodec::fromJson).map(Alert::id)
                    .collect(Collectors.toSet());
            assertTrue(backfillIds.containsAll(liveAlerts.stream().map(Alert::id).toList()), "the same ids as live");
            Set<String> expected = new java.util.HashSet<>(backfillIds);

            try (Notifier notifier = new Notifier(CrashingNotifier.config(KAFKA.bootstrapServers(), group,
                    Duration.ZERO, 3), plan, Clock.systemUTC(), null)) {
                runUntil(notifier, () -> hook.accepted().size() >= expected.size());
                long settleFor = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
                runUntil(notifier, () -> System.nanoTime() > settleFor); // time for a wrong second delivery
            }
            List<String> delivered = hook.accepted().stream()
                    .map(r -> r.header(WebhookDestination.ALERT_ID_HEADER)).toList();
            assertEquals(delivered.size(), Set.copyOf(delivered).size(), "no alert delivered twice: " + delivered);
            assertEquals(expected, Set.copyOf(delivered), "the live ones, then only the new ones");
            marked = backfillIds.size();
        }

        List<ConsumerRecord<byte[], byte[]>> records = readAll();
        long replayedRecords = records.stream().filter(r -> r.headers().lastHeader(AlertPublisher.REPLAYED_HEADER) != null
                && "true".equals(new String(r.headers().lastHeader(AlertPublisher.REPLAYED_HEADER).value(),
                StandardCharsets.UTF_8))).count();
        assertEquals(liveAlerts.size() + marked, records.size(), "the live records and the replayed ones");
        assertEquals(marked, replayedRecords, "every replayed record is marked, no live one");
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll() {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(Topics.ALERTS, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            while (consumer.position(tp) < end) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            return records;
        }
    }
}
