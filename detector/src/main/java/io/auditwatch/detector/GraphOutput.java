package io.auditwatch.detector;

import io.auditwatch.alert.Alert;
import io.auditwatch.event.AuditEvent;

/** What the node graph emits: an alert, or an event for another of its partitions. */
record GraphOutput(Alert alert, AuditEvent forward) {
}
