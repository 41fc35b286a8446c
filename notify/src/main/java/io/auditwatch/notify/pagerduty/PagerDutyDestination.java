package io.auditwatch.notify.pagerduty;

import io.auditwatch.alert.Alert;
import io.auditwatch.notify.delivery.Destination;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;

/** A PagerDuty service's Events API v2 integration; the routing key is the secret. */
public record PagerDutyDestination(String name, URI baseUrl, String routingKey, Duration minInterval)
        implements Destination {
    /** PagerDuty's US service region; EU accounts use https://events.eu.pagerduty.com. */
    public static final String DEFAULT_BASE_URL = "https://events.pagerduty.com";

    @Override
    public HttpRequest request(Alert alert) {
        String base = baseUrl.toString().replaceAll("/+$", "");
        return HttpRequest.newBuilder(URI.create(base + "/v2/enqueue"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString((alert.resolved() ? PagerDutyEvent.resolve(alert, routingKey)
                        : PagerDutyEvent.trigger(alert, routingKey)).toString()))
                .build();
    }

    @Override
    public List<String> secrets() {
        return List.of(routingKey);
    }

    @Override
    public String toString() {
        return "pagerduty " + name; // never the routing key
    }
}
