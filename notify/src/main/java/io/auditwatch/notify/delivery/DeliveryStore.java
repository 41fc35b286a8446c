package io.auditwatch.notify.delivery;

import io.auditwatch.engine.RequestKey;
import io.auditwatch.kafka.KafkaAdmin;
import io.auditwatch.kafka.Topics;
import io.auditwatch.kafka.KafkaClients;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Remembers which message reached which destination, so that alerts Kafka delivers again (their offset was not
 * committed yet when a notifier died) are not posted twice, whichever notifier instance gets them. The record
 * is kept in Kafka, not on one instance's disk: a compacted topic keyed by a digest of group, destination and
 * message id (nothing from an alert), written with {@code acks=all} before the delivery counts, and read to its
 * end by every instance before it handles partitions it was just given ({@link #catchUp}). Records older than
 * {@code retention} are ignored and expire from the topic.
 */
public final class DeliveryStore implements Delivered, AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final String group;
    private final String topic;
    private final Duration retention;
    private final Clock clock;
    private final KafkaProducer<String, String> producer;
    private final KafkaConsumer<String, String> reader;
    private final List<TopicPartition> partitions;
    private final Set<String> delivered = new HashSet<>();

    private DeliveryStore(String bootstrapServers, String group, String topic, Duration retention, Clock clock) {
        this.group = group;
        this.topic = topic;
        this.retention = retention;
        this.clock = clock;
        Map<String, Object> producerConfig = KafkaClients.config(bootstrapServers);
        producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
        producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        this.producer = new KafkaProducer<>(producerConfig, new StringSerializer(), new StringSerializer());
        Map<String, Object> readerConfig = KafkaClients.config(bootstrapServers);
        readerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        this.reader = new KafkaConsumer<>(readerConfig, new StringDeserializer(), new StringDeserializer());
        this.partitions = reader.partitionsFor(topic, TIMEOUT).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        reader.assign(partitions);
        reader.seekToBeginning(partitions);
    }

    /**
     * Creates {@code topic} when it is missing (compacted, records expire after {@code retention}) and reads it
     * to its end.
     *
     * @param group the notifier's consumer group: another group is another delivery pipeline
     */
    public static DeliveryStore open(String bootstrapServers, String group, String topic, Duration retention,
                                     Clock clock) {
        ensureTopic(bootstrapServers, topic, retention);
        DeliveryStore store = new DeliveryStore(bootstrapServers, group, topic, retention, clock);
        try {
            store.catchUp();
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    private static void ensureTopic(String bootstrapServers, String topic, Duration retention) {
        try (KafkaAdmin admin = KafkaAdmin.open(bootstrapServers, TIMEOUT)) {
            // Replicated as the pipeline's topics: a delivery record lost with a broker is a page sent twice.
            Topics.Replication replication = admin.replication();
            admin.createMissing(List.of(new NewTopic(topic, 1, replication.factor()).configs(Map.of(
                    "cleanup.policy", "compact,delete", "retention.ms", Long.toString(retention.toMillis()),
                    "min.insync.replicas", Integer.toString(replication.minInsync())))));
        }
    }

    private String key(String destination, String messageId) {
        return RequestKey.digest(group + "\u0000" + destination + "\u0000" + messageId, 32);
    }

    /**
     * Reads every delivery recorded up to now, by any instance. Called before handling newly assigned
     * partitions: what the instance that had them delivered before it died is then known here.
     */
    public synchronized void catchUp() {
        Map<TopicPartition, Long> end = reader.endOffsets(partitions, TIMEOUT);
        long oldest = clock.millis() - retention.toMillis();
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (end.entrySet().stream().anyMatch(e -> reader.position(e.getKey(), TIMEOUT) < e.getValue())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("could not read " + topic + " to its end within " + TIMEOUT);
            }
            for (ConsumerRecord<String, String> r : reader.poll(Duration.ofMillis(200))) {
                if (r.value() != null && parseMillis(r.value()) >= oldest) {
                    delivered.add(r.key());
                }
            }
        }
    }

    private static long parseMillis(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return Long.MIN_VALUE;
        }
    }

    @Override
    public synchronized boolean contains(String destination, String messageId) {
        return delivered.contains(key(destination, messageId));
    }

    /**
     * Records a delivery durably: in Kafka, acknowledged by all in-sync replicas, when this returns. When Kafka
     * does not take it, the delivery still counts (it happened) and a warning says that this one message may be
     * posted again if its notifier dies before committing it.
     */
    @Override
    public void record(String destination, String messageId) {
        String key = key(destination, messageId);
        synchronized (this) {
            if (!delivered.add(key)) {
                return;
            }
        }
        try {
            producer.send(new ProducerRecord<>(topic, key, Long.toString(clock.millis())))
                    .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            System.err.println("notify: could not record a delivery to " + destination + " in " + topic + " ("
                    + e.getMessage() + "); it may be posted again if this notifier dies before its commit");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // closing
        }
    }

    @Override
    public synchronized void close() {
        producer.close(Duration.ofSeconds(5));
        reader.close(Duration.ofSeconds(5));
    }
}
