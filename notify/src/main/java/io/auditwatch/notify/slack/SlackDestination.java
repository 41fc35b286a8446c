package io.auditwatch.notify.slack;

import io.auditwatch.alert.Alert;
import io.auditwatch.notify.delivery.Destination;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;

/** A Slack incoming webhook; the URL is the secret. */
public record SlackDestination(String name, URI webhook, Duration minInterval) implements Destination {
    /** Slack: "1 message per second per webhook, short bursts allowed". */
    public static final Duration DEFAULT_MIN_INTERVAL = Duration.ofSeconds(1);

    @Override
    public HttpRequest request(Alert alert) {
        return HttpRequest.newBuilder(webhook)
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(SlackMessage.payload(alert).toString()))
                .build();
    }

    @Override
    public List<String> secrets() {
        return List.of(webhook.toString());
    }

    @Override
    public String toString() {
        return "slack " + name; // never the URL
    }
}
