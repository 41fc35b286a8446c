package io.auditwatch.notify.webhook;

import io.auditwatch.alert.Alert;
import io.auditwatch.alert.AlertFormat;
import io.auditwatch.notify.delivery.Destination;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * Any HTTP receiver: the alert as our JSON, an OCSF Detection Finding or an ECS document (for a SIEM's HTTP
 * input), signed with a shared key so the receiver can tell it came from us.
 */
public record WebhookDestination(String name, URI url, String hmacKey, Duration minInterval, AlertFormat format)
        implements Destination {
    public static final String ALERT_ID_HEADER = "X-Auditwatch-Alert-Id";

    /** Our own JSON. */
    public WebhookDestination(String name, URI url, String hmacKey, Duration minInterval) {
        this(name, url, hmacKey, minInterval, AlertFormat.JSON);
    }

    @Override
    public HttpRequest request(Alert alert) {
        byte[] body = format.render(alert).getBytes(StandardCharsets.UTF_8);
        return HttpRequest.newBuilder(url)
                .header("Content-Type", "application/json")
                .header(ALERT_ID_HEADER, alert.id())
                .header(WebhookSignature.HEADER, WebhookSignature.sign(hmacKey.getBytes(StandardCharsets.UTF_8), body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
    }

    @Override
    public List<String> secrets() {
        return List.of(url.toString(), hmacKey);
    }

    @Override
    public String toString() {
        return "webhook " + name; // never the URL or key
    }
}
