package io.auditwatch.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.broker.SharedKafka;
import io.auditwatch.ingest.webhook.WebhookConfig;
import io.auditwatch.ingest.webhook.WebhookReceiver;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The webhook receiver against clients that misbehave, through real sockets: wrong tokens with large bodies,
 * clients that stall, and credentials rotated under a running receiver.
 */
class WebhookHostileClientTest {
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(2);

    @TempDir
    static Path dir;

    @RegisterExtension
    static final SharedKafka KAFKA = new SharedKafka().withPipelineTopics();
    static TestPki pki;
    static RunningWebhook webhook;
    static byte[] event;

    @BeforeAll
    static void start() throws Exception {
        pki = new TestPki(dir);
        pki.server("ingest");
        Files.writeString(dir.resolve("token"), WebhookIngestTest.TOKEN + "\n");
        webhook = RunningWebhook.start(KAFKA.bootstrapServers(), Duration.ofSeconds(10), new WebhookConfig(
                new InetSocketAddress("127.0.0.1", 0), dir.resolve("ingest.crt"), dir.resolve("ingest.key"),
                dir.resolve("ca.crt"), List.of("kube-apiserver"), dir.resolve("token"), false, 8 << 20,
                Duration.ofSeconds(5), READ_TIMEOUT, 2, null));
        event = WebhookIngestTest.eventList(List.of(Files.readAllLines(WebhookIngestTest.SCENARIO).get(0)))
                .toString().getBytes(StandardCharsets.UTF_8);
    }

    @AfterAll
    static void stop() {
        webhook.close();
    }

    private static Socket connect(SSLContext tls) throws IOException {
        return connect(tls, webhook.port());
    }

    private static Socket connect(SSLContext tls, int port) throws IOException {
        Socket socket = tls.getSocketFactory().createSocket("127.0.0.1", port);
        socket.setSoTimeout(30_000);
        return socket;
    }

    private static byte[] head(String token, long contentLength) {
        return ("POST /audit HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
                + "Content-Length: " + contentLength + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** The status line the client reads after sending the whole request, as an API server would. */
    private static String exchange(SSLContext tls, String token, byte[] body) throws IOException {
        return exchange(tls, token, body, webhook.port());
    }

    private static String exchange(SSLContext tls, String token, byte[] body, int port) throws IOException {
        try (Socket socket = connect(tls, port)) {
            OutputStream out = socket.getOutputStream();
            out.write(head(token, body.length));
            out.write(body);
            out.flush();
            return statusLine(socket.getInputStream());
        }
    }

    private static String statusLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != -1 && b != '\n'; ) {
            line.write(b);
        }
        return line.toString(StandardCharsets.US_ASCII).strip();
    }

    private static byte[] padded(int size) {
        byte[] body = Arrays.copyOf(event, size); // an EventList padded with JSON whitespace
        Arrays.fill(body, event.length, size, (byte) ' ');
        return body;
    }

    @Test
    void shouldAnswer401NotAResetToAWrongTokenWithALargeBodyEveryTime() throws Exception {
        List<String> answers = new ArrayList<>();
        for (int size : new int[] {150 * 1024, 1024 * 1024, 4 * 1024 * 1024}) {
            byte[] body = padded(size);
            // Without the drain most tries were reset: dozens of tries catch a regression however the race falls.
            for (int attempt = 0; attempt < (size > 1024 * 1024 ? 3 : size > 150 * 1024 ? 15 : 30); attempt++) {
                String token = attempt % 3 == 0 ? null : "not-the-token-" + attempt;
                try {
                    answers.add(size + " " + exchange(pki.client(null), token, body));
                } catch (IOException e) {
                    answers.add(size + " " + e);
                }
            }
        }
        for (String answer : answers) {
            assertTrue(answer.endsWith("HTTP/1.1 401 Unauthorized"), answer);
        }
    }

    @Test
    void shouldAnswer403ToAnotherClientNameWithALargeBody() throws Exception {
        byte[] body = padded(600 * 1024);
        for (int attempt = 0; attempt < 10; attempt++) {
            assertEquals("HTTP/1.1 403 Forbidden", exchange(pki.client("somebody-else"), null, body));
        }
    }

    @Test
    void shouldCutOffClientsThatStallAndKeepServingOthers() throws Exception {
        long started = System.nanoTime();
        List<Socket> stalled = new ArrayList<>();
        try {
            // More stalled clients than the receiver has threads: headers then silence, half a body, half a head.
            for (int i = 0; i < 3; i++) {
                Socket socket = connect(pki.client(null));
                OutputStream out = socket.getOutputStream();
                out.write(head(WebhookIngestTest.TOKEN, event.length));
                if (i == 1) {
                    out.write(event, 0, event.length / 2);
                }
                out.flush();
                stalled.add(socket);
            }
            Socket halfHead = connect(pki.client(null));
            halfHead.getOutputStream().write("POST /audit HTTP/1.1\r\nHost: 127".getBytes(StandardCharsets.US_ASCII));
            halfHead.getOutputStream().flush();
            stalled.add(halfHead);

            for (Socket socket : stalled) {
                socket.setSoTimeout(10_000);
                int read;
                try {
                    read = socket.getInputStream().read();
                } catch (SocketTimeoutException e) {
                    throw new AssertionError("a stalled client still held its connection after 10 s", e);
                } catch (IOException e) {
                    read = -1; // closed under a TLS record: as good as an end of stream
                }
                assertEquals(-1, read, "the receiver closed the stalled connection");
            }
            Duration cutOff = Duration.ofNanos(System.nanoTime() - started);
            assertTrue(cutOff.compareTo(READ_TIMEOUT.plusSeconds(3)) < 0, "cut off after " + cutOff);
            // The threads are free again: an honest client gets through at once.
            assertEquals("HTTP/1.1 200 OK", exchange(pki.client(null), WebhookIngestTest.TOKEN, event));
        } finally {
            for (Socket socket : stalled) {
                socket.close();
            }
        }
    }

    @Test
    void shouldAcceptARotatedTokenWithoutARestart() throws Exception {
        Path tokenFile = dir.resolve("token");
        String rotated = "the-rotated-token-" + System.nanoTime();
        try {
            replace(tokenFile, rotated + "\n");
            String withNew = "";
            for (long deadline = System.nanoTime() + 10_000_000_000L;
                 !withNew.endsWith(" 200 OK") && System.nanoTime() < deadline; Thread.sleep(200)) {
                withNew = exchange(pki.client(null), rotated, event);
            }
            assertEquals("HTTP/1.1 200 OK", withNew, "the new token is accepted");
            assertEquals("HTTP/1.1 401 Unauthorized", exchange(pki.client(null), WebhookIngestTest.TOKEN, event),
                    "the old one no longer");
            replace(tokenFile, "");
            Thread.sleep(1500);
            assertEquals("HTTP/1.1 200 OK", exchange(pki.client(null), rotated, event),
                    "an emptied token file keeps the last good token");
        } finally {
            replace(tokenFile, WebhookIngestTest.TOKEN + "\n");
            Thread.sleep(1500);
        }
    }

    @Test
    void shouldServeARenewedCertificateAndTrustARenewedClientCaWithoutARestart() throws Exception {
        Path served = Files.createDirectories(dir.resolve("served"));
        for (String file : new String[] {"ingest.crt", "ingest.key", "ca.crt"}) {
            Files.copy(dir.resolve(file), served.resolve(file));
        }
        TestPki renewed = new TestPki(Files.createDirectories(dir.resolve("renewed")));
        renewed.server("ingest");
        try (WebhookReceiver own = WebhookReceiver.start(new WebhookConfig(new InetSocketAddress("127.0.0.1", 0),
                served.resolve("ingest.crt"), served.resolve("ingest.key"), served.resolve("ca.crt"),
                List.of("kube-apiserver"), null, false, 1 << 20, Duration.ofSeconds(5), READ_TIMEOUT, 2, null),
                webhook.producer, webhook.metrics)) {
            int port = own.port();
            assertEquals("HTTP/1.1 200 OK", exchange(pki.client("kube-apiserver"), null, event, port));
            assertThrows(SSLHandshakeException.class, () -> exchange(renewed.client("kube-apiserver"), null, event, port),
                    "before the renewal the server presents the old CA's certificate");

            // Two files, two writes: in between, the certificate does not match the key and is not taken.
            copy(renewed.dir.resolve("ingest.crt"), served.resolve("ingest.crt"));
            Thread.sleep(1500);
            assertEquals("HTTP/1.1 200 OK", exchange(pki.client("kube-apiserver"), null, event, port),
                    "a certificate without its key is not served");
            copy(renewed.dir.resolve("ingest.key"), served.resolve("ingest.key"));
            copy(renewed.dir.resolve("ca.crt"), served.resolve("ca.crt"));
            String status = "";
            for (long deadline = System.nanoTime() + 10_000_000_000L;
                 !status.endsWith(" 200 OK") && System.nanoTime() < deadline; Thread.sleep(200)) {
                try {
                    status = exchange(renewed.client("kube-apiserver"), null, event, port);
                } catch (SSLHandshakeException e) {
                    status = e.toString();
                }
            }
            assertEquals("HTTP/1.1 200 OK", status, "the renewed certificate, and a client of the renewed CA");
            assertThrows(SSLHandshakeException.class, () -> exchange(pki.client("kube-apiserver"), null, event, port),
                    "a client that trusts only the old CA no longer connects");
        }
    }

    /** Replaces a file's content in one step, as the kubelet swaps a mounted Secret. */
    private static void replace(Path file, String content) throws IOException {
        Path next = Files.writeString(file.resolveSibling(file.getFileName() + ".next"), content);
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void copy(Path from, Path to) throws IOException {
        Path next = Files.copy(from, to.resolveSibling(to.getFileName() + ".next"), StandardCopyOption.REPLACE_EXISTING);
        Files.move(next, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
