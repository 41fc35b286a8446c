package io.auditwatch.kafka;

import java.time.Duration;

/**
 * Kafka did not answer, or did not acknowledge a write, in time: a condition a person can fix (wrong address,
 * broker down) or that passes (a broker restarting), not a bug. Whoever holds data when it is thrown keeps it:
 * ingest answers 503 or retries the batch, a command prints the message as one line.
 */
public final class KafkaUnreachableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public KafkaUnreachableException(String bootstrapServers, Duration waited, Throwable cause) {
        this("cannot reach Kafka at " + bootstrapServers + " within " + waited.toSeconds()
                + " s (is it running? start one with 'auditwatch broker', or fix --bootstrap-servers)", cause);
    }

    public KafkaUnreachableException(String message, Throwable cause) {
        super(message, cause);
    }
}
