package io.auditwatch.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditwatch.bench.EventMix;
import io.auditwatch.broker.SharedKafka;
import io.auditwatch.kafka.KafkaAdmin;
import io.auditwatch.kafka.Topics;
import io.auditwatch.event.AuditEventReader;
import io.auditwatch.ingest.webhook.WebhookConfig;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The webhook at 4,000 events/s (ten 400-event batches a second, kube-apiserver's batch size at its default
 * throttle, from up to eight connections at once) over HTTPS with a bearer token, for {@code
 * -Dauditwatch.load.seconds} (default 60), loopback only. Every batch must be answered 200 and every event land
 * on {@code audit.events}; the request latencies it prints are the figures in docs/ingest.md.
 */
@Tag("slow")
class WebhookLoadTest {
    @RegisterExtension
    static final SharedKafka KAFKA = new SharedKafka();

    private static final int BATCH = 400;
    private static final int BATCHES_PER_SECOND = 10;
    private static final int SENDERS = 8;

    @TempDir
    Path dir;

    @Test
    void shouldLandEveryEventAt4000EventsPerSecond() throws Exception {
        int seconds = Integer.getInteger("auditwatch.load.seconds", 60);
        int batches = seconds * BATCHES_PER_SECOND;
        List<byte[]> bodies = bodies(batches);
        String loadBefore = Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        Files.writeString(dir.resolve("token"), WebhookIngestTest.TOKEN);
        TestPki pki = new TestPki(dir);
        Path[] server = pki.server("ingest");
        String bootstrap = KAFKA.bootstrapServers();
        KafkaAdmin.ensureTopics(bootstrap, 3, Duration.ofSeconds(30));
        try (RunningWebhook webhook = RunningWebhook.start(bootstrap, Duration.ofSeconds(15), new WebhookConfig(
                new InetSocketAddress("127.0.0.1", 0), server[0], server[1], null, List.of(), dir.resolve("token"),
                false, 32 << 20, Duration.ofSeconds(10), Duration.ofSeconds(10), 8, null))) {
            HttpClient client = HttpClient.newBuilder().sslContext(pki.client(null)).build();
            URI uri = URI.create("https://127.0.0.1:" + webhook.port() + "/audit");
            long[] latencies = new long[batches];
            Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
            AtomicLong lateStarts = new AtomicLong();
            ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
            long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
            long period = TimeUnit.SECONDS.toNanos(1) / BATCHES_PER_SECOND;
            List<Future<?>> sent = new ArrayList<>();
            for (int i = 0; i < batches; i++) {
                int n = i;
                long due = start + n * period;
                sent.add(senders.submit(() -> {
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    } else if (wait < -period) {
                        lateStarts.incrementAndGet(); // the senders fell behind the schedule
                    }
                    HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                            .header("Authorization", "Bearer " + WebhookIngestTest.TOKEN)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(bodies.get(n))).build();
                    long t0 = System.nanoTime();
                    HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                    latencies[n] = System.nanoTime() - t0;
                    statuses.merge(response.statusCode(), 1, Integer::sum);
                    return null;
                }));
            }
            for (Future<?> f : sent) {
                f.get();
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            String loadAfter = Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
            senders.shutdown();

            assertEquals(Map.of(200, batches), statuses, "every batch answered 200");
            assertEquals((long) batches * BATCH, endOffsets(bootstrap), "every event landed");
            Arrays.sort(latencies);
            System.out.printf("webhook load: %d events in %d batches of %d over %.1f s (%.0f events/s offered),"
                            + " %d batches started late; request latency ms p50=%.1f p90=%.1f p99=%.1f max=%.1f;"
                            + " load average %s before, %s after%n",
                    (long) batches * BATCH, batches, BATCH, elapsed, (double) batches * BATCH / elapsed,
                    lateStarts.get(), ms(latencies, 0.50), ms(latencies, 0.90), ms(latencies, 0.99),
                    latencies[latencies.length - 1] / 1e6, loadBefore, loadAfter);
        }
    }

    private static double ms(long[] sorted, double quantile) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(quantile * sorted.length) - 1)] / 1e6;
    }

    private static List<byte[]> bodies(int batches) throws Exception {
        EventMix mix = new EventMix(1, 100, 3_000, BATCH * BATCHES_PER_SECOND);
        List<byte[]> bodies = new ArrayList<>(batches);
        for (int b = 0; b < batches; b++) {
            ObjectNode list = AuditEventReader.mapper().createObjectNode();
            list.put("kind", "EventList");
            list.put("apiVersion", "audit.k8s.io/v1");
            ArrayNode items = list.putArray("items");
            for (int i = 0; i < BATCH; i++) {
                items.add(AuditEventReader.mapper().readTree(mix.next().json()));
            }
            bodies.add(AuditEventReader.mapper().writeValueAsBytes(list));
        }
        return bodies;
    }

    private static long endOffsets(String bootstrap) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
            admin.describeTopics(List.of(Topics.AUDIT_EVENTS)).allTopicNames().get().get(Topics.AUDIT_EVENTS)
                    .partitions().forEach(p -> latest.put(new TopicPartition(Topics.AUDIT_EVENTS, p.partition()),
                            OffsetSpec.latest()));
            return admin.listOffsets(latest).all().get().values().stream().mapToLong(o -> o.offset()).sum();
        }
    }
}
