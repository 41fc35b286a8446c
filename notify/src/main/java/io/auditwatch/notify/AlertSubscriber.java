package io.auditwatch.notify;

import io.auditwatch.kafka.KafkaClients;
import io.auditwatch.kafka.Topics;
import io.auditwatch.alert.Alert;
import io.auditwatch.alert.AlertCodec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads {@code auditwatch.alerts} as committed by the detector's transactions (read_committed: an alert from
 * an aborted transaction is never delivered) and hands each alert to a sink; offsets are committed only after
 * the sink returned, so a crash redelivers instead of losing.
 */
public final class AlertSubscriber implements AutoCloseable {
    private final KafkaConsumer<String, byte[]> consumer;
    private final AtomicBoolean running = new AtomicBoolean(true);

    /**
     * @param fromLatest a new group starts at the end of the topic (only alerts raised from now on) instead of
     *                   its beginning
     */
    public AlertSubscriber(String bootstrapServers, String groupId, boolean fromLatest) {
        Map<String, Object> config = KafkaClients.config(bootstrapServers);
        config.putAll(Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, groupId,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, fromLatest ? "latest" : "earliest"));
        this.consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(Topics.ALERTS));
    }

    /** Polls (delivering whatever arrives) until the group has assigned partitions and fixed positions. */
    public void awaitAssignment(Duration timeout, Consumer<Alert> sink) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (consumer.assignment().isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no partitions of " + Topics.ALERTS + " assigned within " + timeout);
            }
            pollOnce(Duration.ofMillis(100), sink);
        }
        consumer.assignment().forEach(consumer::position); // fix "latest" now, before anything is produced
    }

    /**
     * Delivers every alert committed so far, then returns: once the detector has committed its input, what it
     * raised, without waiting for a quiet poll to guess that nothing more will come.
     */
    public void readToEnd(Duration timeout, Consumer<Alert> sink) {
        awaitAssignment(timeout, sink);
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment(), timeout);
        while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("did not read " + Topics.ALERTS + " up to " + end + " within " + timeout);
            }
            pollOnce(Duration.ofMillis(100), sink);
        }
    }

    /** Polls once and delivers what arrived; returns how many alerts were delivered. */
    public int pollOnce(Duration timeout, Consumer<Alert> sink) {
        int delivered = 0;
        for (ConsumerRecord<String, byte[]> record : consumer.poll(timeout)) {
            sink.accept(AlertCodec.fromJson(record.value()));
            delivered++;
        }
        if (delivered > 0) {
            consumer.commitSync();
        }
        return delivered;
    }

    /** Delivers until {@link #stop()} is called from another thread. */
    public void run(Consumer<Alert> sink) {
        try {
            while (running.get()) {
                pollOnce(Duration.ofMillis(500), sink);
            }
        } catch (WakeupException e) {
            if (running.get()) {
                throw e;
            }
        }
    }

    public void stop() {
        running.set(false);
        consumer.wakeup();
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
