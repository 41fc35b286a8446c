package io.auditwatch.replay;

import java.util.Map;

/** What a replay read and found; printed at the end of {@code auditwatch replay}. */
public record ReplaySummary(long payloads, long events, long duplicates, long alerts,
                            Map<String, Long> rejectedByReason) {

    public long rejected() {
        return rejectedByReason.values().stream().mapToLong(Long::longValue).sum();
    }

    public String line() {
        return String.format("replayed %d events (%d duplicate stages or retries dropped), %d rejected%s, %d alerts",
                events, duplicates, rejected(), rejectedByReason.isEmpty() ? "" : " " + rejectedByReason, alerts);
    }
}
