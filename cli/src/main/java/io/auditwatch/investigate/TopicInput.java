package io.auditwatch.investigate;

import io.auditwatch.replay.ReplayInput;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A range of a topic of audit events ({@code audit.events}) as a replay input: every partition from the first
 * record written at or after {@code since} to the last written before {@code until} (or the end of the topic as
 * it was when the replay started). The range is chosen by the records' Kafka timestamps, when they were
 * written; the events' own times then drive detection as for a file. No consumer group is joined and no
 * offset is committed: the live detector's position is untouched.
 */
public final class TopicInput implements ReplayInput {
    private static final Duration POLL = Duration.ofMillis(500);

    private final String bootstrapServers;
    private final String topic;
    private final Instant since;
    private final Instant until;

    public TopicInput(String bootstrapServers, String topic, Instant since, Instant until) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.since = since;
        this.until = until;
    }

    @Override
    public String name() {
        return topic;
    }

    @Override
    public long size() {
        return -1;
    }

    @Override
    public void read(Payloads payloads, LongConsumer bytesRead) throws IOException {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.CLIENT_ID_CONFIG, "auditwatch-replay",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            Map<TopicPartition, Long> end = range(consumer);
            while (!end.isEmpty()) {
                List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>();
                consumer.poll(POLL).forEach(batch::add);
                // Partitions come back in turns: within a poll, write order across them, as Streams picks records.
                batch.sort(Comparator.comparingLong(ConsumerRecord::timestamp));
                long bytes = 0;
                for (ConsumerRecord<byte[], byte[]> record : batch) {
                    TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                    Long last = end.get(tp);
                    if (last == null || record.offset() >= last || record.value() == null) {
                        continue;
                    }
                    bytes += record.value().length;
                    payloads.accept(record.value(), record.offset(), record.timestamp());
                }
                bytesRead.accept(bytes);
                end.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
                consumer.pause(consumer.assignment().stream().filter(tp -> !end.containsKey(tp)).toList());
            }
        } catch (KafkaException e) {
            throw new IOException("topic " + topic + " at " + bootstrapServers + ": " + e.getMessage(), e);
        }
    }

    /** Assigns every partition, seeks each to {@code since}, and returns the offset each stops before. */
    private Map<TopicPartition, Long> range(KafkaConsumer<byte[], byte[]> consumer) throws IOException {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
        if (infos == null || infos.isEmpty()) {
            throw new IOException("no topic " + topic + " at " + bootstrapServers);
        }
        List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions));
        if (until != null) {
            offsetsAt(consumer, partitions, until).forEach((tp, offset) -> {
                if (offset != null) {
                    end.put(tp, offset.offset());
                }
            });
        }
        consumer.seekToBeginning(partitions);
        if (since != null) {
            offsetsAt(consumer, partitions, since).forEach((tp, offset) -> {
                if (offset == null) {
                    consumer.seekToEnd(List.of(tp)); // nothing written since
                } else {
                    consumer.seek(tp, offset.offset());
                }
            });
        }
        end.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
        return end;
    }

    private static Map<TopicPartition, OffsetAndTimestamp> offsetsAt(KafkaConsumer<byte[], byte[]> consumer,
                                                                   List<TopicPartition> partitions, Instant time) {
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(tp -> query.put(tp, time.toEpochMilli()));
        return consumer.offsetsForTimes(query);
    }
}
