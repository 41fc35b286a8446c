package io.auditwatch.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The probes an orchestrator polls, over a real loopback HTTP server. */
class PrometheusEndpointTest {
    private final HttpClient http = HttpClient.newHttpClient();

    private int status(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void shouldAnswerEachProbeFromItsOwnCheckAndFailAProbeWhoseCheckThrows() throws Exception {
        AtomicBoolean live = new AtomicBoolean(true);
        AtomicBoolean ready = new AtomicBoolean(false);
        try (PrometheusEndpoint endpoint = new PrometheusEndpoint()) {
            int port = endpoint.serve(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), live::get, () -> {
                if (ready.get()) {
                    return true;
                }
                throw new IllegalStateException("Kafka did not answer");
            });
            assertEquals(200, status(port, PrometheusEndpoint.LIVE));
            assertEquals(503, status(port, PrometheusEndpoint.READY), "a check that throws is not ready");
            ready.set(true);
            live.set(false);
            assertEquals(200, status(port, PrometheusEndpoint.READY));
            assertEquals(503, status(port, PrometheusEndpoint.LIVE));
            endpoint.registry().counter("auditwatch.test.probes").increment();
            String scrape = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + PrometheusEndpoint.PATH)).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(scrape.contains("auditwatch_test_probes_total 1.0"), scrape);
        }
    }
}
