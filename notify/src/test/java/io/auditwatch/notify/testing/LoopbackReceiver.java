package io.auditwatch.notify.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A real HTTP server on loopback standing in for Slack, PagerDuty or a webhook receiver: it checks every body
 * against the API's documented schema (a violation is answered 400, as the real API would, and kept in
 * {@link #violations()}), records what it accepted, and answers scripted statuses (429 with Retry-After, 500)
 * on demand.
 */
public final class LoopbackReceiver implements AutoCloseable {
    /** One request as received. */
    public record Request(String path, Map<String, List<String>> headers, byte[] body) {
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    /** A scripted answer for the next request. */
    public record Answer(int status, String retryAfter, String body) {
    }

    private final HttpServer server;
    private final int okStatus;
    private final String okBody;
    private final Function<Request, List<String>> schema;
    private final ConcurrentLinkedQueue<Answer> script = new ConcurrentLinkedQueue<>();
    private final List<Request> accepted = new CopyOnWriteArrayList<>();
    private final List<Request> all = new CopyOnWriteArrayList<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private volatile Duration hold = Duration.ZERO;

    private LoopbackReceiver(int okStatus, String okBody, Function<Request, List<String>> schema) throws IOException {
        this.okStatus = okStatus;
        this.okBody = okBody;
        this.schema = schema;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Slack incoming webhooks answer 200 "ok". */
    public static LoopbackReceiver slack() throws IOException {
        return new LoopbackReceiver(200, "ok", r -> SlackSchema.problems(r.text()));
    }

    /** PagerDuty's Events API v2 answers 202 with a status object. */
    public static LoopbackReceiver pagerDuty() throws IOException {
        return new LoopbackReceiver(202, "{\"status\":\"success\",\"message\":\"Event processed\"}",
                r -> r.path().equals("/v2/enqueue") ? PagerDutySchema.problems(r.text())
                        : List.of("PagerDuty has no " + r.path()));
    }

    /** Any receiver that accepts JSON. */
    public static LoopbackReceiver webhook() throws IOException {
        return new LoopbackReceiver(204, "", r -> List.of());
    }

    /** The next requests get these answers, in order, before the normal one. */
    public void script(Answer... answers) {
        script.addAll(List.of(answers));
    }

    /** From now on, answers an accepted request only {@code hold} after recording it: a slow acknowledgement. */
    public void hold(Duration hold) {
        this.hold = hold;
    }

    public URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    public List<Request> accepted() {
        return new ArrayList<>(accepted);
    }

    public List<Request> all() {
        return new ArrayList<>(all);
    }

    public List<String> violations() {
        return new ArrayList<>(violations);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Request request = new Request(exchange.getRequestURI().getPath(), Map.copyOf(exchange.getRequestHeaders()),
                    exchange.getRequestBody().readAllBytes());
            all.add(request);
            Answer scripted = script.poll();
            if (scripted != null) {
                if (scripted.retryAfter() != null) {
                    exchange.getResponseHeaders().add("Retry-After", scripted.retryAfter());
                }
                respond(exchange, scripted.status(), scripted.body());
                return;
            }
            List<String> problems = "POST".equals(exchange.getRequestMethod()) ? schema.apply(request)
                    : List.of("method " + exchange.getRequestMethod());
            if (!problems.isEmpty()) {
                violations.addAll(problems);
                respond(exchange, 400, "invalid_payload");
                return;
            }
            accepted.add(request);
            if (!hold.isZero()) {
                try {
                    Thread.sleep(hold.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            respond(exchange, okStatus, okBody);
        }
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
