package io.auditwatch.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * What ingest counts, by source ({@code webhook}, {@code file}): events received, produced and rejected (with
 * the reason), batch sizes and how long Kafka took to acknowledge a batch.
 */
public final class IngestMetrics {
    public static final String WEBHOOK = "webhook";
    public static final String FILE = "file";

    private final MeterRegistry registry;

    public IngestMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void received(String source, int events) {
        Counter.builder("auditwatch.ingest.events.received").description("Audit events read from a source")
                .tag("source", source).register(registry).increment(events);
    }

    public void produced(String source, int records) {
        Counter.builder("auditwatch.ingest.events.produced").description("Records Kafka acknowledged")
                .tag("source", source).register(registry).increment(records);
    }

    /** Input refused or parked: malformed (to the DLQ), unauthenticated, too large, Kafka unavailable. */
    public void rejected(String source, String reason, int count) {
        Counter.builder("auditwatch.ingest.events.rejected").description("Input not produced to audit.events")
                .tag("source", source).tag("reason", reason).register(registry).increment(count);
    }

    public void batch(String source, int events, Duration produceLatency) {
        DistributionSummary.builder("auditwatch.ingest.batch.size").description("Events per batch")
                .baseUnit("events").tag("source", source).register(registry).record(events);
        Timer.builder("auditwatch.ingest.produce.latency").description("Until Kafka acknowledged a whole batch")
                .tag("source", source).register(registry).record(produceLatency);
    }
}
