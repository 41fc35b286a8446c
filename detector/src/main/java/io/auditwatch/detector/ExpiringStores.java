package io.auditwatch.detector;

import io.auditwatch.state.ExpiringState;
import java.time.Duration;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessingContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.common.serialization.Serdes;

/** Builds the engine's expiring state on a RocksDB store and purges it on stream time, as replay does. */
final class ExpiringStores {
    /** Same interval as replay's purge. */
    static final Duration PURGE_INTERVAL = Duration.ofSeconds(30);

    private ExpiringStores() {
    }

    static StoreBuilder<KeyValueStore<String, String>> builder(String name) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), Serdes.String())
                .withCachingEnabled();
    }

    static ExpiringState open(ProcessingContext context, String name) {
        KeyValueStore<String, String> store = context.getStateStore(name);
        ExpiringState state = new ExpiringState(new StoreAdapter(store));
        context.schedule(PURGE_INTERVAL, PunctuationType.STREAM_TIME, time -> {
            state.advanceTo(time);
            state.expire();
        });
        return state;
    }
}
