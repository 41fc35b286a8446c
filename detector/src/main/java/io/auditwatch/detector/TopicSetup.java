package io.auditwatch.detector;

import io.auditwatch.kafka.KafkaClients;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** Creates the pipeline's topics that do not exist yet; existing topics are left as the operator set them. */
public final class TopicSetup {
    private TopicSetup() {
    }

    /**
     * @return the replication for the cluster's size ({@link Topics.Replication#forBrokers}), which the missing
     *         topics were created with and the detector's own topics take too
     * @throws KafkaUnreachableException when no broker answers within {@code timeout}
     */
    public static Topics.Replication ensure(String bootstrapServers, int partitions, Duration timeout) {
        Map<String, Object> config = KafkaClients.config(bootstrapServers);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), 30_000));
        try (Admin admin = Admin.create(config)) {
            Set<String> existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            Topics.Replication replication = Topics.Replication.forBrokers(
                    admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS).size());
            List<NewTopic> missing = Topics.all(partitions, replication).stream()
                    .filter(t -> !existing.contains(t.name())).toList();
            for (Map.Entry<String, KafkaFuture<Void>> created : admin.createTopics(missing).values().entrySet()) {
                try {
                    created.getValue().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) { // another instance was faster
                        throw new IllegalStateException("cannot create topic " + created.getKey() + ": "
                                + e.getCause().getMessage(), e.getCause());
                    }
                }
            }
            awaitLeaders(admin, missing.stream().map(NewTopic::name).toList(), timeout);
            return replication;
        } catch (TimeoutException | ExecutionException e) {
            throw new KafkaUnreachableException(bootstrapServers, timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        }
    }

    /**
     * A new topic accepts writes only once every partition's leader is serving it. An idempotent producer that
     * writes earlier gets NOT_LEADER_OR_FOLLOWER and, on this broker version, can wedge on
     * OUT_OF_ORDER_SEQUENCE_NUMBER. A leader in the metadata is not enough (the broker applies it a moment
     * later); a ListOffsets answered by every partition's leader is.
     */
    private static void awaitLeaders(Admin admin, List<String> topics, Duration timeout)
            throws ExecutionException, TimeoutException, InterruptedException {
        if (topics.isEmpty()) {
            return;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            boolean ready;
            try {
                Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
                ready = true;
                for (TopicDescription d : admin.describeTopics(topics).allTopicNames()
                        .get(timeout.toMillis(), TimeUnit.MILLISECONDS).values()) {
                    for (TopicPartitionInfo p : d.partitions()) {
                        ready &= p.leader() != null;
                        partitions.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest());
                    }
                }
                if (ready) {
                    admin.listOffsets(partitions).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException
                        || e.getCause() instanceof NotLeaderOrFollowerException)) {
                    throw e;
                }
                ready = false; // just created: not every broker view serves it yet
            }
            if (ready) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("partitions of " + topics + " have no serving leader after " + timeout);
            }
            Thread.sleep(50);
        }
    }
}
