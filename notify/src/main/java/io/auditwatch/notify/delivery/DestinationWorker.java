package io.auditwatch.notify.delivery;

import io.auditwatch.alert.Alert;
import io.auditwatch.alert.ConsoleFormat;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;

/**
 * Delivers to one destination on its own thread, one message at a time in order, so a destination that is
 * slow, rate-limited or down delays only itself. Each message is tried up to the policy's attempts: 2xx is
 * accepted (and recorded in the store before it is reported), 408/425/429/5xx and network errors are retried
 * after the destination's Retry-After or an exponential backoff, any other status is final. Every error text is
 * stripped of the destination's secrets before it leaves this class. {@link #close} lets a request in flight
 * finish (and its 2xx be recorded) and abandons the rest.
 */
public final class DestinationWorker implements AutoCloseable {
    private static final int ERROR_BODY_MAX = 200;

    /** What to deliver: {@code messageId} identifies it in the store; {@code ticket} is the caller's. */
    public record Job(String messageId, Alert alert, Object ticket) {
    }

    /** How a job ended: accepted, or failed with the last error after {@code attempts}. */
    public record Outcome(String destination, Job job, boolean accepted, String error, int attempts) {
    }

    private final Destination destination;
    private final HttpClient http;
    private final Delivered store;
    private final RetryPolicy policy;
    private final Consumer<Outcome> outcomes;
    private final BlockingQueue<Job> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private long lastSendNanos;
    /** Guards {@code running} and {@code sending}: a stop never interrupts a request the destination may have got. */
    private final Object lock = new Object();
    private volatile boolean running = true;
    private boolean sending;

    public DestinationWorker(Destination destination, HttpClient http, Delivered store, RetryPolicy policy,
                             Consumer<Outcome> outcomes) {
        this.destination = destination;
        this.http = http;
        this.store = store;
        this.policy = policy;
        this.outcomes = outcomes;
        this.thread = new Thread(this::loop, "notify-" + destination.name());
        this.thread.setDaemon(true);
        this.thread.start();
    }

    public String name() {
        return destination.name();
    }

    public void submit(Job job) {
        queue.add(job);
    }

    private void loop() {
        try {
            while (running) {
                Job job = queue.take();
                outcomes.accept(deliver(job));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // closing
        }
    }

    private Outcome deliver(Job job) throws InterruptedException {
        if (store.contains(destination.name(), job.messageId())) {
            return new Outcome(destination.name(), job, true, null, 0);
        }
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(destination.request(job.alert()), (n, v) -> true)
                    .timeout(policy.requestTimeout()).build();
        } catch (RuntimeException e) {
            return new Outcome(destination.name(), job, false, redact("cannot build the request: " + e.getMessage()), 0);
        }
        String lastError = null;
        for (int attempt = 1; attempt <= policy.maxAttempts(); attempt++) {
            pace();
            Duration wait;
            try {
                HttpResponse<String> response = send(request, job.messageId());
                int status = response.statusCode();
                if (status / 100 == 2) {
                    return new Outcome(destination.name(), job, true, null, attempt);
                }
                lastError = redact("HTTP " + status + " from " + destination + ": " + cut(response.body()));
                if (!(status == 408 || status == 425 || status == 429 || status / 100 == 5)) {
                    return new Outcome(destination.name(), job, false, lastError, attempt);
                }
                wait = retryAfter(response).orElse(policy.backoff(attempt));
            } catch (IOException e) {
                lastError = redact(e.getClass().getSimpleName() + " from " + destination + ": " + e.getMessage());
                wait = policy.backoff(attempt);
            }
            if (attempt < policy.maxAttempts()) {
                Thread.sleep(wait.toMillis());
            }
        }
        return new Outcome(destination.name(), job, false, lastError, policy.maxAttempts());
    }

    /**
     * One request, and the record of its 2xx, as one step that a stop waits for instead of cutting off: a post the
     * destination received but nobody recorded would be posted again by the next instance. Once stopped, no new
     * request starts, and the thread is interrupted as soon as this step ends.
     */
    private HttpResponse<String> send(HttpRequest request, String messageId) throws IOException, InterruptedException {
        synchronized (lock) {
            if (!running) {
                throw new InterruptedException("stopping");
            }
            sending = true;
        }
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 == 2) {
                store.record(destination.name(), messageId);
            }
            return response;
        } finally {
            synchronized (lock) {
                sending = false;
                if (!running) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** Keeps at least the destination's minimum interval between two requests. */
    private void pace() throws InterruptedException {
        long gap = destination.minInterval().toNanos() - (System.nanoTime() - lastSendNanos);
        if (lastSendNanos != 0 && gap > 0) {
            Thread.sleep(gap / 1_000_000, (int) (gap % 1_000_000));
        }
        lastSendNanos = System.nanoTime();
    }

    /** Retry-After in seconds or as an HTTP date (RFC 9110); capped at an hour against absurd values. */
    static Optional<Duration> retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After").map(String::trim).flatMap(v -> {
            try {
                return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(v))));
            } catch (NumberFormatException notSeconds) {
                try {
                    ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
                    return Optional.of(Duration.between(ZonedDateTime.now(at.getZone()), at));
                } catch (DateTimeParseException notDate) {
                    return Optional.<Duration>empty();
                }
            }
        }).map(d -> d.isNegative() ? Duration.ZERO : d).map(d -> d.compareTo(Duration.ofHours(1)) > 0 ? Duration.ofHours(1) : d);
    }

    private String redact(String text) {
        String out = text;
        for (String secret : destination.secrets()) {
            if (secret != null && !secret.isEmpty()) {
                out = out.replace(secret, "[secret]");
            }
        }
        return out;
    }

    private static String cut(String body) {
        if (body == null) {
            return "";
        }
        String oneLine = ConsoleFormat.escape(body.strip());
        return oneLine.length() <= ERROR_BODY_MAX ? oneLine : oneLine.substring(0, ERROR_BODY_MAX) + " …[cut]";
    }

    /**
     * Stops the thread: waits for a request in flight (at most its timeout) and reports its outcome; jobs not
     * started, or waiting to be retried, stay undelivered (their offsets were not committed).
     */
    @Override
    public void close() {
        synchronized (lock) {
            running = false;
            if (!sending) {
                thread.interrupt();
            }
        }
        try {
            thread.join(policy.requestTimeout().plusSeconds(5).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
