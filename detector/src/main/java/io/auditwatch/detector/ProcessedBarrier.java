package io.auditwatch.detector;

import io.auditwatch.kafka.KafkaClients;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Tells whether a Kafka Streams application has consumed and committed everything on its input and
 * repartition topics: then "no alert" means the detector judged every event, not that it had not got to them
 * yet, and a benchmark knows when the last record was processed.
 */
public final class ProcessedBarrier implements AutoCloseable {
    private final Admin admin;
    private final String applicationId;
    private final Set<String> inputTopics;

    public ProcessedBarrier(String bootstrapServers, String applicationId, Set<String> inputTopics) {
        this.admin = Admin.create(KafkaClients.config(bootstrapServers));
        this.applicationId = applicationId;
        this.inputTopics = inputTopics;
    }

    /** Waits until the application caught up; fails with an IllegalStateException after {@code patience}. */
    public static void await(String bootstrapServers, String applicationId, Set<String> inputTopics, Duration patience)
            throws InterruptedException {
        try (ProcessedBarrier barrier = new ProcessedBarrier(bootstrapServers, applicationId, inputTopics)) {
            long deadline = System.nanoTime() + patience.toNanos();
            while (System.nanoTime() < deadline) {
                if (barrier.caughtUp()) {
                    return;
                }
                Thread.sleep(200);
            }
            throw new IllegalStateException(applicationId + " did not catch up with " + inputTopics + " within " + patience);
        }
    }

    /** Whether every record on the input and repartition topics is processed and its offset committed. */
    public boolean caughtUp() throws InterruptedException {
        Set<String> topics = call(admin.listTopics().names()).stream()
                .filter(t -> inputTopics.contains(t) || t.startsWith(applicationId) && t.endsWith("-repartition"))
                .collect(Collectors.toSet());
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        call(admin.describeTopics(topics).allTopicNames()).forEach((name, description) ->
                description.partitions().forEach(p -> latest.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = call(admin.listOffsets(latest).all());
        Map<TopicPartition, OffsetAndMetadata> committed = committed();
        for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end : ends.entrySet()) {
            if (end.getValue().offset() == 0) {
                continue;
            }
            OffsetAndMetadata done = committed.get(end.getKey());
            if (done == null || done.offset() < end.getValue().offset()) {
                return false;
            }
        }
        return true;
    }

    private Map<TopicPartition, OffsetAndMetadata> committed() throws InterruptedException {
        return call(admin.listConsumerGroupOffsets(applicationId).partitionsToOffsetAndMetadata());
    }

    private static <T> T call(org.apache.kafka.common.KafkaFuture<T> future) throws InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot read the progress of the application: " + e.getCause().getMessage(),
                    e.getCause());
        }
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
