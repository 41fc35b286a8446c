package io.auditwatch.e2e;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Waits until a Kafka Streams application has consumed and committed everything on its input and internal
 * topics: then "no alert" means the detector judged every event, not that it had not got to them yet.
 */
final class ProcessedBarrier {
    private ProcessedBarrier() {
    }

    static void await(String bootstrapServers, String applicationId, Set<String> inputTopics, Duration patience)
            throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            long deadline = System.nanoTime() + patience.toNanos();
            while (System.nanoTime() < deadline) {
                if (caughtUp(admin, applicationId, inputTopics)) {
                    return;
                }
                Thread.sleep(200);
            }
            throw new AssertionError(applicationId + " did not catch up with " + inputTopics + " within " + patience);
        }
    }

    private static boolean caughtUp(Admin admin, String applicationId, Set<String> inputTopics) throws Exception {
        Set<String> topics = admin.listTopics().names().get().stream()
                .filter(t -> inputTopics.contains(t) || t.startsWith(applicationId) && t.endsWith("-repartition"))
                .collect(Collectors.toSet());
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        admin.describeTopics(topics).allTopicNames().get().forEach((name, description) ->
                description.partitions().forEach(p -> latest.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all().get();
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(applicationId)
                .partitionsToOffsetAndMetadata().get();
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
}
