package io.auditwatch.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditwatch.alert.Alert;
import io.auditwatch.bench.EventMix;
import io.auditwatch.broker.EmbeddedKafka;
import io.auditwatch.detector.DetectorConfig;
import io.auditwatch.kafka.KafkaAdmin;
import io.auditwatch.kafka.Topics;
import io.auditwatch.event.AuditEventReader;
import io.auditwatch.ingest.webhook.WebhookConfig;
import io.auditwatch.replay.Replay;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every broker is down for 60 s while the API server keeps sending: ingest answers 503 with Retry-After, the
 * sender keeps its batches and retries them as kube-apiserver's webhook backend does, and once the broker is
 * back every event lands, none lost, and replaying what landed gives no alert twice. The test stops and restarts
 * its broker, so it runs one of its own, not the shared one.
 */
@Tag("slow")
class WebhookBrokerOutageTest {
    private static final int BATCH = 100;
    private static final Duration PERIOD = Duration.ofMillis(100); // 1,000 events/s
    private static final Duration BEFORE = Duration.ofSeconds(10);
    private static final Duration OUTAGE = Duration.ofSeconds(60);
    private static final Duration AFTER = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @Test
    void shouldAnswer503DuringA60SecondOutageAndLandEveryEventOnceTheBrokerIsBack() throws Exception {
        Files.writeString(dir.resolve("token"), WebhookIngestTest.TOKEN);
        Path data = dir.resolve("kafka");
        EmbeddedKafka kafka = EmbeddedKafka.start(0, data);
        int port = kafka.port();
        KafkaAdmin.ensureTopics(kafka.bootstrapServers(), 3, Duration.ofSeconds(30));
        BlockingQueue<byte[]> apiServerBuffer = new LinkedBlockingQueue<>();
        Set<String> sent = new HashSet<>();
        Map<Integer, Integer> statuses = new HashMap<>();
        Set<String> retryAfters = new HashSet<>();
        try (RunningWebhook webhook = RunningWebhook.start(kafka.bootstrapServers(), Duration.ofSeconds(3),
                new WebhookConfig(new InetSocketAddress("127.0.0.1", 0), null, null, null, List.of(),
                        dir.resolve("token"), true, 8 << 20, Duration.ofSeconds(2), Duration.ofSeconds(10), 4, null))) {
            URI uri = URI.create("http://127.0.0.1:" + webhook.port() + "/audit");
            HttpClient client = HttpClient.newHttpClient();
            EventMix mix = new EventMix(3, 20, 300, 1_000);
            long start = System.nanoTime();
            long end = start + BEFORE.plus(OUTAGE).plus(AFTER).toNanos();
            long nextBatch = start;
            boolean down = false;
            boolean restarted = false;
            // One thread plays the API server: new batches join its buffer on schedule, the oldest is sent until 200.
            while (System.nanoTime() < end || !apiServerBuffer.isEmpty()) {
                long now = System.nanoTime();
                if (!down && now - start > BEFORE.toNanos()) {
                    kafka.close();
                    down = true;
                }
                if (down && !restarted && now - start > BEFORE.plus(OUTAGE).toNanos()) {
                    kafka = EmbeddedKafka.start(port, data);
                    restarted = true;
                }
                while (now < end && nextBatch <= now) {
                    apiServerBuffer.add(batch(mix, sent));
                    nextBatch += PERIOD.toNanos();
                }
                byte[] head = apiServerBuffer.peek();
                if (head == null) {
                    TimeUnit.NANOSECONDS.sleep(Math.max(0, nextBatch - System.nanoTime()));
                    continue;
                }
                HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri)
                        .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + WebhookIngestTest.TOKEN)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(head)).build(), HttpResponse.BodyHandlers.ofString());
                statuses.merge(response.statusCode(), 1, Integer::sum);
                if (response.statusCode() == 200) {
                    apiServerBuffer.remove();
                } else {
                    response.headers().firstValue("Retry-After").ifPresent(retryAfters::add);
                    Thread.sleep(1000L * Long.parseLong(response.headers().firstValue("Retry-After").orElse("1")));
                }
            }
            assertTrue(restarted, "the broker came back");
            assertTrue(statuses.getOrDefault(503, 0) > 0, "503 while the broker was down: " + statuses);
            assertEquals(Set.of("2"), retryAfters, "each 503 says when to retry");
            assertEquals(Set.of(200, 503), statuses.keySet(), "nothing but 200 and 503: " + statuses);

            List<ConsumerRecord<byte[], byte[]>> landed = Topic.readAll(kafka.bootstrapServers(), Topics.AUDIT_EVENTS);
            Set<String> ids = new HashSet<>();
            for (ConsumerRecord<byte[], byte[]> record : landed) {
                ids.add(AuditEventReader.mapper().readTree(record.value()).path("auditID").asText());
            }
            assertEquals(sent.size(), ids.size(), "every event sent landed (" + landed.size() + " records)");
            assertTrue(ids.containsAll(sent), "and they are the events sent");

            DetectorConfig detector = DetectorConfig.defaults("unused", dir);
            Replay replay = new Replay(detector.reader(), detector.analyses());
            List<Alert> alerts = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> record : landed) {
                replay.accept(record.value(), record.timestamp(), alerts::add, r -> { });
            }
            replay.finish(alerts::add);
            assertTrue(!alerts.isEmpty(), "the mix holds attacks");
            assertEquals(alerts.size(), alerts.stream().map(Alert::id).distinct().count(), "no alert twice");
        } finally {
            kafka.close();
        }
    }

    private static byte[] batch(EventMix mix, Set<String> sent) throws Exception {
        ObjectNode list = AuditEventReader.mapper().createObjectNode();
        list.put("kind", "EventList");
        list.put("apiVersion", "audit.k8s.io/v1");
        ArrayNode items = list.putArray("items");
        for (int i = 0; i < BATCH; i++) {
            EventMix.Generated event = mix.next();
            sent.add(event.auditID());
            items.add(AuditEventReader.mapper().readTree(event.json()));
        }
        return AuditEventReader.mapper().writeValueAsBytes(list);
    }
}
