package io.auditwatch.detector;

import io.auditwatch.dedup.RequestDedup;
import io.auditwatch.event.AuditEvent;
import io.auditwatch.state.ExpiringState;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/** Hosts {@link RequestDedup} on the {@value DetectorTopology#REQUEST_DEDUP_STORE} store. */
final class DedupProcessor implements FixedKeyProcessor<String, AuditEvent, AuditEvent> {
    private final RequestDedup dedup;
    private FixedKeyProcessorContext<String, AuditEvent> context;
    private ExpiringState state;

    DedupProcessor(RequestDedup dedup) {
        this.dedup = dedup;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, AuditEvent> context) {
        this.context = context;
        this.state = ExpiringStores.open(context, DetectorTopology.REQUEST_DEDUP_STORE);
    }

    @Override
    public void process(FixedKeyRecord<String, AuditEvent> record) {
        state.advanceTo(record.value().eventTimeMillis());
        if (dedup.admit(record.value(), state)) {
            context.forward(record);
        }
    }
}
