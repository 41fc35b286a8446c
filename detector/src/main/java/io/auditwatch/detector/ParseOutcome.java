package io.auditwatch.detector;

import io.auditwatch.event.AuditEvent;
import io.auditwatch.event.Rejection;

/** One result of parsing: an event to analyse, or a rejection bound for the DLQ with the record's original key. */
record ParseOutcome(AuditEvent event, Rejection rejection, byte[] originalKey) {

    static ParseOutcome parsed(AuditEvent event) {
        return new ParseOutcome(event, null, null);
    }

    static ParseOutcome rejected(Rejection rejection, byte[] originalKey) {
        return new ParseOutcome(null, rejection, originalKey);
    }

    boolean isRejected() {
        return rejection != null;
    }
}
