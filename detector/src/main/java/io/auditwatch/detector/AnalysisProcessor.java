package io.auditwatch.detector;

import io.auditwatch.alert.Alert;
import io.auditwatch.engine.Analysis;
import io.auditwatch.event.AuditEvent;
import io.auditwatch.state.ExpiringState;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Hosts one {@link Analysis} on its own RocksDB store, as replay hosts it on a map: the state's clock follows
 * the event time of the records this processor sees (in the value: a record's own timestamp is when it was
 * parsed); alerts are keyed by their dedup key and stamped, like the event, with when it was parsed.
 */
final class AnalysisProcessor implements Processor<String, AuditEvent, String, Alert> {
    private final Analysis analysis;
    private final String storeName;
    private ProcessorContext<String, Alert> context;
    private ExpiringState state;

    AnalysisProcessor(Analysis analysis, String storeName) {
        this.analysis = analysis;
        this.storeName = storeName;
    }

    @Override
    public void init(ProcessorContext<String, Alert> context) {
        this.context = context;
        this.state = ExpiringStores.open(context, storeName);
    }

    @Override
    public void process(Record<String, AuditEvent> record) {
        state.advanceTo(record.value().eventTimeMillis());
        for (Alert alert : analysis.process(record.value(), state)) {
            context.forward(new Record<>(alert.dedupKey(), alert, record.timestamp()));
        }
    }
}
