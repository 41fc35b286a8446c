package io.auditwatch.detector;

import io.auditwatch.alert.Alert;
import io.auditwatch.engine.Engine;
import io.auditwatch.event.AuditEvent;
import io.auditwatch.state.ExpiringState;
import java.util.function.Supplier;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/** Hosts the {@link Engine} on the {@value DetectorTopology#RULE_STATE_STORE} store; alerts are keyed by dedup key. */
final class EngineProcessor implements Processor<String, AuditEvent, String, Alert> {
    /** The rules in force: swapped by the rules global store while the stream runs. */
    private final Supplier<Engine> engine;
    private ProcessorContext<String, Alert> context;
    private ExpiringState state;

    EngineProcessor(Supplier<Engine> engine) {
        this.engine = engine;
    }

    @Override
    public void init(ProcessorContext<String, Alert> context) {
        this.context = context;
        this.state = ExpiringStores.open(context, DetectorTopology.RULE_STATE_STORE);
    }

    @Override
    public void process(Record<String, AuditEvent> record) {
        state.advanceTo(record.timestamp());
        for (Alert alert : engine.get().evaluate(record.value(), state)) {
            context.forward(new Record<>(alert.dedupKey(), alert, record.timestamp()));
        }
    }
}
