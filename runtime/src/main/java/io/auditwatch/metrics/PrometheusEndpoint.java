package io.auditwatch.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

/**
 * A Prometheus registry and its scrape handler ({@code GET /metrics}, text format), to mount on a server a
 * component already runs or on a small one of its own ({@link #serve}), which also answers the orchestrator's
 * probes: {@code /healthz} (alive: restart me when not) and {@code /readyz} (ready for work), each 200 or 503.
 */
public final class PrometheusEndpoint implements HttpHandler, AutoCloseable {
    public static final String PATH = "/metrics";
    public static final String LIVE = "/healthz";
    public static final String READY = "/readyz";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private HttpServer server;

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Serves {@code /metrics} over plain HTTP on {@code address} (port 0 picks one); returns the bound port. */
    public int serve(InetSocketAddress address) throws IOException {
        return serve(address, () -> true, () -> true);
    }

    /** Also answers {@code /healthz} from {@code live} and {@code /readyz} from {@code ready}. */
    public int serve(InetSocketAddress address, BooleanSupplier live, BooleanSupplier ready) throws IOException {
        server = HttpServer.create(address, 0);
        server.createContext(PATH, this);
        server.createContext(LIVE, probe(live));
        server.createContext(READY, probe(ready));
        server.start();
        return server.getAddress().getPort();
    }

    /** 200 "ok" while {@code check} holds, else 503; a check that throws counts as failed. */
    public static HttpHandler probe(BooleanSupplier check) {
        return exchange -> {
            try (exchange) {
                boolean ok;
                try {
                    ok = check.getAsBoolean();
                } catch (RuntimeException e) {
                    ok = false;
                }
                byte[] body = (ok ? "ok\n" : "unavailable\n").getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
                exchange.sendResponseHeaders(ok ? 200 : 503, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        };
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "GET");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
        }
        registry.close();
    }
}
