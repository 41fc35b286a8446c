package io.auditwatch.ingest.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.auditwatch.alert.ConsoleFormat;
import io.auditwatch.kafka.DlqHeaders;
import io.auditwatch.kafka.Topics;
import io.auditwatch.event.AuditEventReader;
import io.auditwatch.event.ReadResult;
import io.auditwatch.event.Rejection;
import io.auditwatch.ingest.AuditProducer;
import io.auditwatch.ingest.IngestMetrics;
import io.auditwatch.kafka.KafkaUnreachableException;
import io.auditwatch.ingest.tls.PemTls;
import io.auditwatch.metrics.PrometheusEndpoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.security.auth.x500.X500Principal;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * kube-apiserver's audit webhook backend POSTs EventLists here. A batch is answered 200 only once Kafka
 * acknowledged every one of its events; 503 (with Retry-After) while Kafka is unreachable, so the API server
 * keeps and retries the batch: this receiver holds nothing in memory that a crash could lose. A body that holds
 * no audit event gets 400 and goes, verbatim, to {@code audit.dlq}. Each item of a batch becomes one record, so
 * a large batch never makes one oversized record.
 */
public final class WebhookReceiver implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookReceiver.class);

    private static final long DRAIN_LIMIT = 256L * 1024 * 1024;
    /** How often the token and TLS files are compared with what was read; a rotated Secret shows within it. */
    private static final Duration RELOAD_CHECK = Duration.ofSeconds(1);

    private final WebhookConfig config;
    private final AuditProducer producer;
    private final IngestMetrics metrics;
    private final AuditEventReader reader;
    private final TokenFile token;
    private final HttpServer server;
    private final ReadDeadlines executor;

    private WebhookReceiver(WebhookConfig config, AuditProducer producer, PrometheusEndpoint prometheus)
            throws IOException {
        this.config = config;
        this.producer = producer;
        this.metrics = new IngestMetrics(prometheus.registry());
        this.reader = new AuditEventReader(AuditEventReader.DEFAULT_MAX_EVENT_BYTES, null);
        this.token = config.tokenFile() == null ? null : new TokenFile(config.tokenFile(), RELOAD_CHECK);
        if (config.insecureHttp()) {
            server = HttpServer.create(config.listen(), 0);
        } else {
            SSLContext tls = PemTls.serverContext(config.tlsCert(), config.tlsKey(), config.clientCa(), RELOAD_CHECK);
            HttpsServer https = HttpsServer.create(config.listen(), 0);
            https.setHttpsConfigurator(new HttpsConfigurator(tls) {
                @Override
                public void configure(HttpsParameters params) {
                    SSLParameters p = tls.getDefaultSSLParameters();
                    p.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
                    // "Want", not "need": a request without a certificate gets a clear 401, and /metrics works.
                    p.setWantClientAuth(config.clientCa() != null);
                    params.setSSLParameters(p);
                }
            });
            server = https;
        }
        executor = new ReadDeadlines(config.threads(), config.readTimeout());
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.createContext(PrometheusEndpoint.PATH, prometheus);
    }

    /** Starts serving; the caller closes the producer and the endpoint after this receiver. */
    public static WebhookReceiver start(WebhookConfig config, AuditProducer producer, PrometheusEndpoint prometheus)
            throws IOException {
        WebhookReceiver receiver = new WebhookReceiver(config, producer, prometheus);
        receiver.server.start();
        return receiver;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "POST");
                respond(exchange, 405, "POST an audit EventList");
                return;
            }
            int denied = authenticate(exchange);
            if (denied != 0) {
                // Read the body the client is still sending before answering: closing on unread bytes resets
                // the connection, and the client sees a network fault instead of 401/403.
                discard(exchange.getRequestBody(), (long) config.maxBodyBytes() + 1);
                executor.bodyRead();
                metrics.rejected(IngestMetrics.WEBHOOK, denied == 401 ? "unauthenticated" : "forbidden", 1);
                if (denied == 401) {
                    exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer");
                }
                respond(exchange, denied, denied == 401 ? "missing or invalid credentials" : "client not allowed");
                return;
            }
            byte[] body = readBody(exchange);
            executor.bodyRead();
            if (body == null) {
                metrics.rejected(IngestMetrics.WEBHOOK, "too-large", 1);
                respond(exchange, 413, "body exceeds " + config.maxBodyBytes() + " bytes");
                return;
            }
            accept(exchange, body);
        }
    }

    private void accept(HttpExchange exchange, byte[] body) throws IOException {
        ReadResult read = reader.read(body, System.currentTimeMillis());
        if (read.events().isEmpty() && !read.rejections().isEmpty()) {
            Rejection first = read.rejections().get(0);
            String reason = first.reason().code() + ": " + first.message();
            try {
                producer.sendAll(List.of(dlqRecord(body, first)));
            } catch (KafkaUnreachableException e) {
                unavailable(exchange, e); // the API server keeps the body; it lands in the DLQ on a later try
                return;
            }
            metrics.rejected(IngestMetrics.WEBHOOK, first.reason().code(), 1);
            LOG.warn("rejected a webhook body of {} bytes to {}: {}", body.length, Topics.AUDIT_DLQ,
                    ConsoleFormat.escape(reason));
            respond(exchange, 400, reason);
            return;
        }
        metrics.received(IngestMetrics.WEBHOOK, read.events().size());
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (byte[] item : items(body)) {
            records.add(AuditProducer.record(Topics.AUDIT_EVENTS, item, config.cluster()));
        }
        long started = System.nanoTime();
        try {
            producer.sendAll(records);
        } catch (KafkaUnreachableException e) {
            unavailable(exchange, e);
            return;
        }
        metrics.produced(IngestMetrics.WEBHOOK, records.size());
        metrics.batch(IngestMetrics.WEBHOOK, records.size(), Duration.ofNanos(System.nanoTime() - started));
        respond(exchange, 200, "produced " + records.size());
    }

    private void unavailable(HttpExchange exchange, KafkaUnreachableException e) throws IOException {
        metrics.rejected(IngestMetrics.WEBHOOK, "kafka-unavailable", 1);
        LOG.warn("answering 503: {}", e.getMessage());
        exchange.getResponseHeaders().set("Retry-After", Long.toString(Math.max(1, config.retryAfter().toSeconds())));
        respond(exchange, 503, "Kafka unavailable; retry later");
    }

    /**
     * The records a body makes: one per item of an EventList or array, else the body itself (an Event or a cloud
     * export, which the detector unwraps). Items are re-serialised compactly, their content unchanged.
     */
    static List<byte[]> items(byte[] body) {
        JsonNode tree;
        try {
            tree = AuditEventReader.mapper().readTree(body);
        } catch (IOException e) {
            return List.of(body); // not plain JSON (a compressed cloud export): the reader accepted it whole
        }
        JsonNode items = tree.isArray() ? tree
                : "EventList".equals(tree.path("kind").asText()) ? tree.path("items") : null;
        if (items == null || !items.isArray()) {
            return List.of(body);
        }
        List<byte[]> out = new ArrayList<>(items.size());
        for (JsonNode item : items) {
            out.add(item.toString().getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }

    private ProducerRecord<byte[], byte[]> dlqRecord(byte[] body, Rejection rejection) {
        ProducerRecord<byte[], byte[]> record = AuditProducer.record(Topics.AUDIT_DLQ, body, config.cluster());
        DlqHeaders.add(record.headers(), DlqHeaders.REASON, rejection.reason().code());
        DlqHeaders.add(record.headers(), DlqHeaders.MESSAGE, rejection.message());
        DlqHeaders.add(record.headers(), DlqHeaders.SOURCE_TOPIC, "webhook");
        return record;
    }

    /** 0 when the request carries a valid credential, else 401 (none or invalid) or 403 (valid, not allowed). */
    private int authenticate(HttpExchange exchange) {
        if (config.clientCa() != null && exchange instanceof HttpsExchange https) {
            try {
                Certificate[] chain = https.getSSLSession().getPeerCertificates(); // verified in the handshake
                return allowed((X509Certificate) chain[0]) ? 0 : 403;
            } catch (SSLPeerUnverifiedException e) {
                // no client certificate: a bearer token may still do
            }
        }
        if (token != null) {
            String header = exchange.getRequestHeaders().getFirst("Authorization");
            if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
                byte[] presented = header.substring(7).strip().getBytes(StandardCharsets.UTF_8);
                if (token.matches(presented)) {
                    return 0;
                }
            }
        }
        return 401;
    }

    private boolean allowed(X509Certificate client) {
        if (config.allowedClientNames().isEmpty()) {
            return true;
        }
        String dn = client.getSubjectX500Principal().getName(X500Principal.RFC2253);
        for (String part : dn.split(",")) {
            if (part.startsWith("CN=") && config.allowedClientNames().contains(part.substring(3))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The body, or null when it is larger than allowed. An oversized body is read on and discarded (up to
     * {@link #DRAIN_LIMIT}), so that the client, still sending, can read the 413 instead of a reset connection.
     */
    private byte[] readBody(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readNBytes(config.maxBodyBytes() + 1);
            if (body.length <= config.maxBodyBytes()) {
                return body;
            }
            discard(in, DRAIN_LIMIT);
            return null;
        }
    }

    /** Reads and drops up to {@code limit} bytes; the read deadline bounds how long a slow sender holds on. */
    private static void discard(InputStream in, long limit) throws IOException {
        byte[] buffer = new byte[1 << 16];
        long drained = 0;
        for (int n; drained < limit && (n = in.read(buffer)) >= 0; ) {
            drained += n;
        }
    }

    private static void respond(HttpExchange exchange, int status, String message) throws IOException {
        byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(1);
        executor.close();
    }
}
