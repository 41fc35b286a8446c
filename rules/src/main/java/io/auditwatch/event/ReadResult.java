package io.auditwatch.event;

import java.util.List;

/** What one payload held: the events that parsed and the parts that did not. */
public record ReadResult(List<AuditEvent> events, List<Rejection> rejections) {
}
