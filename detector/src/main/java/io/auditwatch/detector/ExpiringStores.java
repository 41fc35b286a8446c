package io.auditwatch.detector;

import io.auditwatch.state.ExpiringState;
import java.time.Duration;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessingContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Builds the engine's expiring state on a RocksDB store and purges it on a stream-time schedule, as replay
 * does. The state's clock is the latest event time its own processor has seen, never the task's stream time:
 * a task may also read other sources (the raw topic, stamped with ingest time), whose clock is not event time.
 */
final class ExpiringStores {
    /** Same interval as replay's purge. */
    static final Duration PURGE_INTERVAL = Duration.ofSeconds(30);

    private ExpiringStores() {
    }

    /** A changelogged store: restored on another instance after a fail-over. */
    static StoreBuilder<KeyValueStore<String, String>> builder(String name) {
        return rocksDb(name).withCachingEnabled();
    }

    /**
     * A store kept on local disk only: empty after a fail-over, for state that only spares work. Not cached
     * either: its keys (requests) are new with nearly every event, so a cache would add a lookup and an eviction
     * to each and crowd the other stores' entries out of the thread's shared cache.
     */
    static StoreBuilder<KeyValueStore<String, String>> unlogged(String name) {
        return rocksDb(name).withLoggingDisabled();
    }

    private static StoreBuilder<KeyValueStore<String, String>> rocksDb(String name) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), Serdes.String());
    }

    static ExpiringState open(ProcessingContext context, String name) {
        KeyValueStore<String, String> store = context.getStateStore(name);
        ExpiringState state = new ExpiringState(new StoreAdapter(store));
        context.schedule(PURGE_INTERVAL, PunctuationType.STREAM_TIME, time -> state.expire());
        return state;
    }
}
