package io.auditwatch.ingest;

import java.io.IOException;

/** Kafka did not acknowledge a batch in time: the caller must keep the batch (or make its sender keep it). */
public final class KafkaUnavailableException extends IOException {
    private static final long serialVersionUID = 1L;

    public KafkaUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
