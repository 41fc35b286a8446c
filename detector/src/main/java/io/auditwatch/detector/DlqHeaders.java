package io.auditwatch.detector;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;

/** Headers on {@code audit.dlq} records: why the record was rejected and where it came from. */
public final class DlqHeaders {
    public static final String REASON = "auditwatch.dlq.reason";
    public static final String MESSAGE = "auditwatch.dlq.message";
    public static final String SOURCE_TOPIC = "auditwatch.dlq.source.topic";
    public static final String SOURCE_PARTITION = "auditwatch.dlq.source.partition";
    public static final String SOURCE_OFFSET = "auditwatch.dlq.source.offset";

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
