package io.auditwatch.detections;

import io.auditwatch.event.AuditEvent;

/** Phrases that several explanations share. */
final class Describe {
    private Describe() {
    }

    static String sources(AuditEvent e) {
        String ips = e.sourceIPs == null || e.sourceIPs.isEmpty() ? "an unknown address" : String.join(", ", e.sourceIPs);
        return ips + (e.userAgent == null ? "" : " (" + e.userAgent + ")");
    }
}
