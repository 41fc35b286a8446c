package io.auditwatch.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.broker.EmbeddedKafka;
import io.auditwatch.kafka.KafkaAdmin;
import io.auditwatch.kafka.Topics;
import io.auditwatch.alert.Alert;
import io.auditwatch.analyses.AnalysisConfig;
import io.auditwatch.ingest.webhook.WebhookConfig;
import io.auditwatch.replay.Replay;
import io.auditwatch.scenario.Scenario;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka goes away while the API server posts: the receiver answers 503 (bounded by the producer's delivery
 * timeout) and keeps nothing; the API server's retry after Kafka is back lands the batch, and the duplicates
 * that retries make are absorbed by request dedup. The test stops and restarts Kafka, so it runs a broker of its
 * own, not the shared one.
 */
class WebhookOutageTest {
    @TempDir
    Path dir;

    @Test
    void shouldAnswer503WhileKafkaIsDownAndLandTheRetriedBatchOnce() throws Exception {
        Scenario scenario = Scenario.load(WebhookIngestTest.SCENARIO.getParent());
        List<String> lines = Files.readAllLines(scenario.events()).stream().filter(l -> !l.isBlank()).toList();
        byte[] first = body(lines.subList(0, lines.size() / 2));
        byte[] second = body(lines.subList(lines.size() / 2, lines.size()));
        Files.writeString(dir.resolve("token"), WebhookIngestTest.TOKEN);
        Path data = dir.resolve("kafka");
        EmbeddedKafka kafka = EmbeddedKafka.start(0, data);
        int port = kafka.port();
        KafkaAdmin.ensureTopics(kafka.bootstrapServers(), 1, Duration.ofSeconds(30));
        SSLContext plain = SSLContext.getDefault();
        try (RunningWebhook webhook = RunningWebhook.start(kafka.bootstrapServers(), Duration.ofSeconds(3),
                new WebhookConfig(new InetSocketAddress("127.0.0.1", 0), null, null, null, List.of(),
                        dir.resolve("token"), true, 8 << 20, Duration.ofSeconds(2), Duration.ofSeconds(30), 2, null))) {
            assertEquals(200, post(plain, first, webhook).statusCode());

            kafka.close();
            HttpResponse<String> down = post(plain, second, webhook);
            assertEquals(503, down.statusCode(), down.body());
            assertEquals("2", down.headers().firstValue("Retry-After").orElse(null));

            kafka = EmbeddedKafka.start(port, data);
            int status = 0;
            for (int attempt = 0; attempt < 20 && status != 200; attempt++) { // as the API server retries
                status = post(plain, second, webhook).statusCode();
            }
            assertEquals(200, status, "the retried batch lands once Kafka is back");
            // A retry of a batch whose 200 was lost on the way back: duplicates on the topic.
            assertEquals(200, post(plain, first, webhook).statusCode());

            List<ConsumerRecord<byte[], byte[]>> landed = Topic.readAll(kafka.bootstrapServers(), Topics.AUDIT_EVENTS);
            Replay replay = new Replay(AnalysisConfig.DEFAULTS.reader(), AnalysisConfig.DEFAULTS.analyses());
            List<Alert> alerts = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> record : landed) {
                replay.accept(record.value(), record.timestamp(), alerts::add, r -> { });
            }
            assertEquals(List.of(), scenario.missing(alerts), "every expected alert");
            assertEquals(List.of(), scenario.unexpected(alerts), "and each once");
            // At least every event with the first half twice; a retry after a late acknowledgement may add more.
            assertTrue(landed.size() >= lines.size() + lines.size() / 2, "landed " + landed.size());
        } finally {
            kafka.close();
        }
    }

    private static byte[] body(List<String> lines) throws Exception {
        return WebhookIngestTest.eventList(lines).toString().getBytes(StandardCharsets.UTF_8);
    }

    private static HttpResponse<String> post(SSLContext tls, byte[] body, RunningWebhook webhook) throws Exception {
        return WebhookIngestTest.post(tls, WebhookIngestTest.TOKEN, body, webhook.port(), "http");
    }
}
