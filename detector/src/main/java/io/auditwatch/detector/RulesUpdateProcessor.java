package io.auditwatch.detector;

import io.auditwatch.language.TunedRules;
import java.util.function.Consumer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Feeds the {@value DetectorTopology#RULES_STORE} global store from {@code auditwatch.rules}: every instance
 * applies every change to its {@link TunedRules}, keeps accepted values in the store and reports each outcome.
 * Kafka Streams replays the topic through this processor when it restores the store, so a restarted instance
 * rebuilds the same rules.
 */
final class RulesUpdateProcessor implements Processor<String, String, Void, Void> {
    private final TunedRules rules;
    private final Consumer<TunedRules.Change> onChange;
    private KeyValueStore<String, String> store;

    RulesUpdateProcessor(TunedRules rules, Consumer<TunedRules.Change> onChange) {
        this.rules = rules;
        this.onChange = onChange;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        store = context.getStateStore(DetectorTopology.RULES_STORE);
    }

    @Override
    public void process(Record<String, String> record) {
        TunedRules.Change change = rules.apply(record.key(), record.value());
        if (change.accepted() && record.key() != null) {
            if (record.value() == null) {
                store.delete(record.key());
            } else {
                store.put(record.key(), record.value());
            }
        }
        onChange.accept(change);
    }
}
