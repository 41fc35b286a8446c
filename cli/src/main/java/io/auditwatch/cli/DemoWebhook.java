package io.auditwatch.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditwatch.event.AuditEventReader;
import io.auditwatch.formats.AuditLogFiles;
import io.auditwatch.ingest.AuditProducer;
import io.auditwatch.ingest.webhook.WebhookConfig;
import io.auditwatch.ingest.webhook.WebhookReceiver;
import io.auditwatch.metrics.PrometheusEndpoint;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** The demo's way through the webhook: plays kube-apiserver's webhook backend against a loopback receiver. */
final class DemoWebhook {
    /** kube-apiserver's default --audit-webhook-batch-max-size. */
    private static final int BATCH = 400;
    private static final int ATTEMPTS = 10;

    private DemoWebhook() {
    }

    /** Posts the file's events in EventList batches, retrying a 503 as the API server would; returns the count. */
    static int post(Path events, AuditProducer producer, Path workDir, PrintWriter out)
            throws IOException, InterruptedException {
        byte[] secret = new byte[24];
        new SecureRandom().nextBytes(secret);
        String token = HexFormat.of().formatHex(secret);
        Path tokenFile = Files.writeString(workDir.resolve("webhook-token"), token);
        List<byte[]> payloads = new ArrayList<>();
        AuditLogFiles.forEachPayload(events, payloads::add);
        ObjectMapper mapper = AuditEventReader.mapper();
        try (PrometheusEndpoint metrics = new PrometheusEndpoint();
             WebhookReceiver receiver = WebhookReceiver.start(new WebhookConfig(
                     new InetSocketAddress("127.0.0.1", 0), null, null, null, List.of(), tokenFile, true,
                     32 * 1024 * 1024, Duration.ofSeconds(1), Duration.ofSeconds(30), 2, null), producer, metrics)) {
            URI uri = URI.create("http://127.0.0.1:" + receiver.port() + "/audit");
            out.println("Ingest webhook (plain HTTP on loopback, bearer token) at " + uri);
            HttpClient client = HttpClient.newHttpClient();
            for (int from = 0; from < payloads.size(); from += BATCH) {
                ObjectNode list = mapper.createObjectNode();
                list.put("kind", "EventList");
                list.put("apiVersion", "audit.k8s.io/v1");
                ArrayNode items = list.putArray("items");
                for (byte[] p : payloads.subList(from, Math.min(payloads.size(), from + BATCH))) {
                    items.add(mapper.readTree(p));
                }
                HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(mapper.writeValueAsBytes(list))).build();
                HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                for (int attempt = 1; response.statusCode() == 503 && attempt < ATTEMPTS; attempt++) {
                    Thread.sleep(1000);
                    response = client.send(request, HttpResponse.BodyHandlers.ofString());
                }
                if (response.statusCode() != 200) {
                    throw new UserError("demo: the webhook answered " + response.statusCode() + ": "
                            + response.body().strip());
                }
            }
        }
        return payloads.size();
    }
}
