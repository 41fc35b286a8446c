package io.auditwatch.detector;

import io.auditwatch.kafka.DlqHeaders;
import io.auditwatch.kafka.Topics;
import io.auditwatch.alert.ConsoleFormat;
import io.auditwatch.event.AuditEvent;
import io.auditwatch.event.AuditEventReader;
import io.auditwatch.event.Provenance;
import io.auditwatch.event.ReadResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.auditwatch.event.Rejection;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parses each record once: an Event, an EventList or an array becomes one record per event, keyed by identity
 * and stamped with the time it was parsed (its event time is in the value); anything unusable becomes a
 * rejection carrying the reason and the record's origin. Nothing here throws on bad input, so bad input never stops the stream. Counts go to Micrometer's
 * global registry, which {@link DetectorApp#bindMetrics} publishes (a no-op until then, as in driver tests).
 */
final class ParseProcessor implements Processor<byte[], byte[], String, ParseOutcome> {
    private static final Logger LOG = LoggerFactory.getLogger(ParseProcessor.class);

    private final AuditEventReader reader;
    /** Per source: a registry lookup per event would cost more than the parse of a small event. */
    private final Map<String, Counter> parsed = new HashMap<>();
    private ProcessorContext<String, ParseOutcome> context;

    ParseProcessor(AuditEventReader reader) {
        this.reader = reader;
    }

    @Override
    public void init(ProcessorContext<String, ParseOutcome> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        Header cluster = record.headers().lastHeader(Provenance.CLUSTER_HEADER);
        ReadResult result = reader.read(record.value(), record.timestamp(),
                cluster == null ? null : new String(cluster.value(), StandardCharsets.UTF_8));
        // What this task writes is stamped with when it was parsed: the broker refuses timestamps far ahead of its
        // clock, and retention deletes records by timestamp. Event time travels in the value.
        long parsedAt = context.currentSystemTimeMs();
        for (AuditEvent event : result.events()) {
            String source = event.provenance.source();
            parsed.computeIfAbsent(source == null ? "native" : source,
                    s -> Metrics.counter("auditwatch.detector.events.parsed", "source", s)).increment();
            context.forward(new Record<>(event.identity().username(), ParseOutcome.parsed(event), parsedAt,
                    record.headers()));
        }
        for (Rejection rejection : result.rejections()) {
            Metrics.counter("auditwatch.detector.events.rejected", "reason", rejection.reason().code()).increment();
            RecordHeaders headers = new RecordHeaders(record.headers().toArray());
            DlqHeaders.add(headers, DlqHeaders.REASON, rejection.reason().code());
            DlqHeaders.add(headers, DlqHeaders.MESSAGE, rejection.message());
            context.recordMetadata().ifPresent(meta -> addOrigin(headers, meta));
            LOG.warn("rejected {}-{}@{} to {}: {} ({})", DlqHeaders.get(headers, DlqHeaders.SOURCE_TOPIC),
                    DlqHeaders.get(headers, DlqHeaders.SOURCE_PARTITION), DlqHeaders.get(headers, DlqHeaders.SOURCE_OFFSET),
                    Topics.AUDIT_DLQ, rejection.reason().code(), ConsoleFormat.escape(rejection.message()));
            context.forward(new Record<>(null, ParseOutcome.rejected(rejection, record.key()), parsedAt, headers));
        }
    }

    private static void addOrigin(RecordHeaders headers, RecordMetadata meta) {
        DlqHeaders.add(headers, DlqHeaders.SOURCE_TOPIC, meta.topic());
        DlqHeaders.add(headers, DlqHeaders.SOURCE_PARTITION, meta.partition());
        DlqHeaders.add(headers, DlqHeaders.SOURCE_OFFSET, meta.offset());
    }
}
