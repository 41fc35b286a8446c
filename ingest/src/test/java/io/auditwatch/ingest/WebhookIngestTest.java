package io.auditwatch.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditwatch.broker.SharedKafka;
import io.auditwatch.kafka.DlqHeaders;
import io.auditwatch.kafka.Topics;
import io.auditwatch.event.Provenance;
import io.auditwatch.ingest.webhook.WebhookConfig;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import javax.net.ssl.SSLContext;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The webhook receiver over real HTTPS against the real embedded broker. */
class WebhookIngestTest {
    static final String TOKEN = "s3cret-token-for-tests";
    static final Path SCENARIO = Path.of("../replay-data/scenarios/compromised-pod/events.jsonl");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    static Path dir;

    @RegisterExtension
    static final SharedKafka KAFKA = new SharedKafka().withPipelineTopics();
    static TestPki pki;
    static RunningWebhook webhook;

    @BeforeAll
    static void start() throws Exception {
        pki = new TestPki(dir);
        Path[] server = pki.server("ingest");
        Files.writeString(dir.resolve("token"), TOKEN + "\n");
        webhook = RunningWebhook.start(KAFKA.bootstrapServers(), Duration.ofSeconds(10), new WebhookConfig(
                new InetSocketAddress("127.0.0.1", 0), server[0], server[1], dir.resolve("ca.crt"),
                List.of("kube-apiserver"), dir.resolve("token"), false, 1024 * 1024, Duration.ofSeconds(7),
                Duration.ofSeconds(30), 4, "prod-eu"));
    }

    @AfterAll
    static void stop() {
        webhook.close();
    }

    static ObjectNode eventList(List<String> lines) throws Exception {
        ObjectNode list = MAPPER.createObjectNode();
        list.put("kind", "EventList");
        list.put("apiVersion", "audit.k8s.io/v1");
        ArrayNode items = list.putArray("items");
        for (String line : lines) {
            items.add(MAPPER.readTree(line));
        }
        return list;
    }

    static HttpResponse<String> post(SSLContext tls, String token, byte[] body, int port, String scheme)
            throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(tls).build();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(scheme + "://127.0.0.1:" + port + "/audit"))
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(SSLContext tls, String token, byte[] body) throws Exception {
        return post(tls, token, body, webhook.port(), "https");
    }

    private static List<ConsumerRecord<byte[], byte[]>> events() {
        return Topic.readAll(KAFKA.bootstrapServers(), Topics.AUDIT_EVENTS);
    }

    @Test
    void shouldLandEveryEventOfAPostedEventListBeforeAnswering200() throws Exception {
        List<String> lines = Files.readAllLines(SCENARIO).stream().filter(l -> !l.isBlank()).toList();
        ObjectNode batch = eventList(lines);
        int before = events().size();

        HttpResponse<String> response = post(pki.client(null), TOKEN, batch.toString().getBytes(StandardCharsets.UTF_8));

        assertEquals(200, response.statusCode(), response.body());
        List<ConsumerRecord<byte[], byte[]>> landed = events().subList(before, before + lines.size());
        for (int i = 0; i < lines.size(); i++) {
            assertEquals(batch.get("items").get(i), MAPPER.readTree(landed.get(i).value()), "item " + i + " as sent");
            assertEquals("prod-eu", DlqHeaders.get(landed.get(i).headers(), Provenance.CLUSTER_HEADER));
        }
        assertEquals(before + lines.size(), events().size(), "nothing more than the batch");
        String scrape = HttpClient.newBuilder().sslContext(pki.client(null)).build().send(
                HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + webhook.port() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(scrape.contains("auditwatch_ingest_events_produced_total{source=\"webhook\"}"), scrape);
        assertTrue(scrape.contains("auditwatch_ingest_produce_latency_seconds_count{source=\"webhook\"}"), scrape);
    }

    @Test
    void shouldAcceptAnAllowedClientCertificateAndForbidAnotherName() throws Exception {
        byte[] body = eventList(List.of(Files.readAllLines(SCENARIO).get(0))).toString().getBytes(StandardCharsets.UTF_8);
        int before = events().size();
        assertEquals(200, post(pki.client("kube-apiserver"), null, body).statusCode());
        assertEquals(403, post(pki.client("somebody-else"), null, body).statusCode());
        assertEquals(before + 1, events().size(), "only the allowed client's event landed");
    }

    @Test
    void shouldAnswer401AndProduceNothingWithoutValidCredentials() throws Exception {
        byte[] body = eventList(List.of(Files.readAllLines(SCENARIO).get(0))).toString().getBytes(StandardCharsets.UTF_8);
        int events = events().size();
        int dlq = Topic.readAll(KAFKA.bootstrapServers(), Topics.AUDIT_DLQ).size();

        HttpResponse<String> wrong = post(pki.client(null), "not-the-token", body);
        HttpResponse<String> prefix = post(pki.client(null), TOKEN.substring(0, 5), body);
        HttpResponse<String> none = post(pki.client(null), null, body);

        assertEquals(401, wrong.statusCode());
        assertEquals(401, prefix.statusCode());
        assertEquals(401, none.statusCode());
        assertEquals("Bearer", none.headers().firstValue("WWW-Authenticate").orElse(null));
        assertEquals(events, events().size(), "nothing produced to audit.events");
        assertEquals(dlq, Topic.readAll(KAFKA.bootstrapServers(), Topics.AUDIT_DLQ).size(), "nor to audit.dlq");
    }

    @Test
    void shouldAnswer400AndParkGarbageVerbatimInTheDlq() throws Exception {
        byte[] garbage = "{\"kind\":\"EventList\",\"items\":[{\"verb\":\"get\"".getBytes(StandardCharsets.UTF_8);
        int events = events().size();
        int dlqBefore = Topic.readAll(KAFKA.bootstrapServers(), Topics.AUDIT_DLQ).size();

        HttpResponse<String> response = post(pki.client(null), TOKEN, garbage);

        assertEquals(400, response.statusCode());
        assertTrue(response.body().startsWith("truncated-json: "), response.body());
        List<ConsumerRecord<byte[], byte[]>> dlq = Topic.readAll(KAFKA.bootstrapServers(), Topics.AUDIT_DLQ);
        assertEquals(dlqBefore + 1, dlq.size());
        ConsumerRecord<byte[], byte[]> parked = dlq.get(dlq.size() - 1);
        assertArrayEquals(garbage, parked.value());
        assertEquals("truncated-json", DlqHeaders.get(parked.headers(), DlqHeaders.REASON));
        assertEquals("webhook", DlqHeaders.get(parked.headers(), DlqHeaders.SOURCE_TOPIC));
        assertEquals(events, events().size(), "nothing on audit.events");
    }

    @Test
    void shouldAnswer413AboveTheConfiguredSize() throws Exception {
        byte[] big = new byte[1024 * 1024 + 1];
        Arrays.fill(big, (byte) ' ');
        int events = events().size();
        assertEquals(413, post(pki.client(null), TOKEN, big).statusCode());
        assertEquals(events, events().size());
    }

    @Test
    void shouldLandACompressedCloudWatchPayloadWholeForTheDetectorToUnwrap() throws Exception {
        ObjectNode payload = MAPPER.createObjectNode();
        payload.put("messageType", "DATA_MESSAGE");
        payload.put("logGroup", "/aws/eks/prod-eks/cluster");
        payload.putArray("logEvents").addObject().put("id", "1").put("timestamp", 1_714_557_600_123L)
                .put("message", Files.readAllLines(SCENARIO).get(0));
        ByteArrayOutputStream gzipped = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(gzipped)) {
            gz.write(payload.toString().getBytes(StandardCharsets.UTF_8));
        }
        byte[] body = Base64.getEncoder().encode(gzipped.toByteArray());
        int before = events().size();

        assertEquals(200, post(pki.client(null), TOKEN, body).statusCode());

        List<ConsumerRecord<byte[], byte[]>> landed = events();
        assertEquals(before + 1, landed.size());
        assertArrayEquals(body, landed.get(before).value(), "verbatim: the detector's reader unwraps it");
    }

    @Test
    void shouldRefuseAnotherMethod() throws Exception {
        HttpResponse<String> get = HttpClient.newBuilder().sslContext(pki.client(null)).build().send(
                HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + webhook.port() + "/audit")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(405, get.statusCode());
    }
}
