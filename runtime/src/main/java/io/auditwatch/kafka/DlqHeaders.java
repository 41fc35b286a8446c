package io.auditwatch.kafka;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;

/**
 * Headers on dead-letter records: on {@code audit.dlq} why an event was rejected and where it came from, on
 * {@code auditwatch.alerts.dlq} which destination would not take the alert, its last error (secrets redacted) and
 * the attempts made.
 */
public final class DlqHeaders {
    public static final String REASON = "auditwatch.dlq.reason";
    public static final String MESSAGE = "auditwatch.dlq.message";
    public static final String SOURCE_TOPIC = "auditwatch.dlq.source.topic";
    public static final String SOURCE_PARTITION = "auditwatch.dlq.source.partition";
    public static final String SOURCE_OFFSET = "auditwatch.dlq.source.offset";
    public static final String DESTINATION = "auditwatch.dlq.destination";
    public static final String ERROR = "auditwatch.dlq.error";
    public static final String ATTEMPTS = "auditwatch.dlq.attempts";

    private DlqHeaders() {
    }

    public static void add(Headers headers, String name, Object value) {
        headers.remove(name);
        headers.add(name, String.valueOf(value).getBytes(StandardCharsets.UTF_8));
    }

    public static String get(Headers headers, String name) {
        var header = headers.lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
