package io.auditwatch.notify.delivery;

import io.auditwatch.alert.Alert;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;

/**
 * One place alerts go (a Slack webhook, a PagerDuty service, a signed webhook): how an alert becomes an HTTP
 * request there. Its {@link #name()} is what logs, errors and the DLQ show; the URL and keys are secrets and
 * appear only in the request.
 */
public interface Destination {
    String name();

    HttpRequest request(Alert alert);

    /** Least time between two requests (Slack allows about one message per second per webhook). */
    Duration minInterval();

    /** Values that must never appear in an error message (URLs, keys); the worker redacts them. */
    List<String> secrets();
}
