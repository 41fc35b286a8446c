package io.auditwatch.detector;

import java.time.Duration;

/** No broker answered: a condition a person can fix (wrong address, broker down), not a bug. */
public final class KafkaUnreachableException extends RuntimeException {
    public KafkaUnreachableException(String bootstrapServers, Duration waited, Throwable cause) {
        super("cannot reach Kafka at " + bootstrapServers + " within " + waited.toSeconds()
                + " s (is it running? start one with 'auditwatch broker', or fix --bootstrap-servers)", cause);
    }
}
