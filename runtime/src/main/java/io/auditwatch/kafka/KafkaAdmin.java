package io.auditwatch.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * The one way this code asks Kafka about the cluster: whether it answers, creating the topics that are missing,
 * how many records a topic holds, whether a Kafka Streams application has processed all of its input, who is in
 * a consumer group. Every call waits at most the timeout the helper was opened with; a broker that does not
 * answer in that time is a {@link KafkaUnreachableException}.
 */
public final class KafkaAdmin implements AutoCloseable {
    private final Admin admin;
    private final String bootstrapServers;
    private final Duration timeout;

    private KafkaAdmin(Admin admin, String bootstrapServers, Duration timeout) {
        this.admin = admin;
        this.bootstrapServers = bootstrapServers;
        this.timeout = timeout;
    }

    /**
     * An admin client on {@link KafkaClients#config}; it connects on its first call.
     *
     * @throws KafkaUnreachableException when {@code bootstrapServers} is not a list of host:port
     */
    public static KafkaAdmin open(String bootstrapServers, Duration timeout) {
        int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        Map<String, Object> config = KafkaClients.config(bootstrapServers);
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "auditwatch-admin");
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(millis, 30_000));
        // A broker that is not there yet is asked again within a second, not after the default's growing pauses.
        config.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
        try {
            return new KafkaAdmin(Admin.create(config), bootstrapServers, timeout);
        } catch (KafkaException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new KafkaUnreachableException("invalid --bootstrap-servers '" + bootstrapServers + "': "
                    + cause.getMessage(), e);
        }
    }

    /** By default, how long a command waits for Kafka to answer before it says, in one line, that it cannot reach it. */
    public static final String DEFAULT_WAIT = "PT15S";
    /** {@link #DEFAULT_WAIT} as a duration. */
    public static final Duration REACHABLE_WITHIN = Duration.parse(DEFAULT_WAIT);

    /** Returns when Kafka answers within {@code timeout}, for a command to fail fast in one line when it does not. */
    public static void requireReachable(String bootstrapServers, Duration timeout) {
        try (KafkaAdmin admin = open(bootstrapServers, timeout)) {
            admin.requireReachable();
        }
    }

    /**
     * Creates the pipeline's topics ({@link Topics#all}) that do not exist yet, replicated for the cluster's size;
     * existing ones are left as they are.
     *
     * @return that replication ({@link Topics.Replication#forBrokers}), which the detector's own topics take too
     */
    public static Topics.Replication ensureTopics(String bootstrapServers, int partitions, Duration timeout) {
        try (KafkaAdmin admin = open(bootstrapServers, timeout)) {
            Topics.Replication replication = admin.replication();
            admin.createMissing(Topics.all(partitions, replication));
            return replication;
        }
    }

    /**
     * Waits until the Kafka Streams application {@code applicationId} has processed and committed every record on
     * {@code inputTopics} and its repartition topics: then "no alert" means the detector judged every event, not
     * that it had not got to them yet.
     *
     * @throws IllegalStateException when it has not after {@code patience}
     */
    public static void awaitProcessed(String bootstrapServers, String applicationId, Set<String> inputTopics,
                                      Duration patience) throws InterruptedException {
        try (KafkaAdmin admin = open(bootstrapServers, Duration.ofSeconds(30))) {
            long deadline = System.nanoTime() + patience.toNanos();
            while (!admin.processed(applicationId, inputTopics)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(applicationId + " did not catch up with " + inputTopics
                            + " within " + patience);
                }
                Thread.sleep(200);
            }
        }
    }

    /**
     * Whether Kafka answers, for a readiness probe: never throws, and asks at most once per {@code cacheFor}
     * however often the probe comes.
     */
    public BooleanSupplier probe(Duration cacheFor) {
        return new BooleanSupplier() {
            private long askedAt;
            private boolean asked;
            private boolean reachable;

            @Override
            public synchronized boolean getAsBoolean() {
                if (!asked || System.nanoTime() - askedAt >= cacheFor.toNanos()) {
                    try {
                        requireReachable();
                        reachable = true;
                    } catch (KafkaUnreachableException | IllegalStateException e) {
                        reachable = false;
                    }
                    asked = true;
                    askedAt = System.nanoTime();
                }
                return reachable;
            }
        };
    }

    /** The replication the cluster's size calls for ({@link Topics.Replication#forBrokers}). */
    public Topics.Replication replication() {
        return Topics.Replication.forBrokers(call(admin.describeCluster().nodes()).size());
    }

    /** @throws KafkaUnreachableException when no broker describes the cluster within the timeout */
    public void requireReachable() {
        call(admin.describeCluster().nodes());
    }

    /**
     * Creates those of {@code topics} that do not exist yet and returns once each new one accepts writes;
     * another instance creating the same topic at the same time is no error.
     */
    public void createMissing(List<NewTopic> topics) {
        Set<String> existing = call(admin.listTopics().names());
        List<NewTopic> missing = topics.stream().filter(t -> !existing.contains(t.name())).toList();
        for (Map.Entry<String, KafkaFuture<Void>> created : admin.createTopics(missing).values().entrySet()) {
            try {
                get(created.getValue());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) { // another instance was faster
                    throw new IllegalStateException("cannot create topic " + created.getKey() + ": "
                            + e.getCause().getMessage(), e.getCause());
                }
            }
        }
        awaitLeaders(missing.stream().map(NewTopic::name).toList());
    }

    /** Records {@code topic} holds now: what a new consumer group reading it from the start will process. */
    public long records(String topic) {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        for (TopicPartition p : partitions(List.of(topic))) {
            latest.put(p, OffsetSpec.latest());
            earliest.put(p, OffsetSpec.earliest());
        }
        long end = call(admin.listOffsets(latest).all()).values().stream().mapToLong(i -> i.offset()).sum();
        long start = call(admin.listOffsets(earliest).all()).values().stream().mapToLong(i -> i.offset()).sum();
        return end - start;
    }

    /**
     * Whether the Kafka Streams application {@code applicationId} has processed and committed every record on
     * {@code inputTopics} and on its own repartition topics.
     */
    public boolean processed(String applicationId, Set<String> inputTopics) {
        Set<String> topics = call(admin.listTopics().names()).stream()
                .filter(t -> inputTopics.contains(t) || t.startsWith(applicationId) && t.endsWith("-repartition"))
                .collect(Collectors.toSet());
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        partitions(topics).forEach(p -> latest.put(p, OffsetSpec.latest()));
        Map<TopicPartition, OffsetAndMetadata> committed =
                call(admin.listConsumerGroupOffsets(applicationId).partitionsToOffsetAndMetadata());
        return call(admin.listOffsets(latest).all()).entrySet().stream().allMatch(end -> {
            OffsetAndMetadata done = committed.get(end.getKey());
            return end.getValue().offset() == 0 || done != null && done.offset() >= end.getValue().offset();
        });
    }

    /**
     * The members of consumer group {@code groupId} now (a Kafka Streams application's group is its application
     * id), with the client id each joined with; none when the group is empty or does not exist.
     */
    public List<MemberDescription> members(String groupId) {
        try {
            return List.copyOf(get(admin.describeConsumerGroups(List.of(groupId)).describedGroups().get(groupId)).members());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return List.of();
            }
            if (e.getCause() instanceof GroupAuthorizationException) {
                throw new KafkaUnreachableException("not allowed to describe consumer group '" + groupId + "' at "
                        + bootstrapServers + ": grant its principal Describe on the group", e.getCause());
            }
            throw new KafkaUnreachableException(bootstrapServers, timeout, e.getCause());
        }
    }

    private List<TopicPartition> partitions(Collection<String> topics) {
        return call(admin.describeTopics(topics).allTopicNames()).values().stream()
                .flatMap(d -> d.partitions().stream().map(p -> new TopicPartition(d.name(), p.partition())))
                .toList();
    }

    /**
     * A new topic accepts writes only once every partition's leader is serving it. An idempotent producer that
     * writes earlier gets NOT_LEADER_OR_FOLLOWER and, on this broker version, can wedge on
     * OUT_OF_ORDER_SEQUENCE_NUMBER. A leader in the metadata is not enough (the broker applies it a moment
     * later); a ListOffsets answered by every partition's leader is.
     */
    private void awaitLeaders(List<String> topics) {
        if (topics.isEmpty()) {
            return;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!leadersServe(topics)) {
            if (System.nanoTime() > deadline) {
                throw new KafkaUnreachableException(bootstrapServers, timeout, new TimeoutException(
                        "partitions of " + topics + " have no serving leader after " + timeout));
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the leaders of " + topics, e);
            }
        }
    }

    private boolean leadersServe(List<String> topics) {
        try {
            Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
            for (TopicDescription d : get(admin.describeTopics(topics).allTopicNames()).values()) {
                for (var p : d.partitions()) {
                    if (p.leader() == null) {
                        return false;
                    }
                    partitions.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest());
                }
            }
            get(admin.listOffsets(partitions).all());
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException
                    || e.getCause() instanceof NotLeaderOrFollowerException) {
                return false; // just created: not every broker view serves it yet
            }
            throw new KafkaUnreachableException(bootstrapServers, timeout, e.getCause());
        }
    }

    /** The result of an admin call; a call that failed or got no answer is {@link KafkaUnreachableException}. */
    private <T> T call(KafkaFuture<T> future) {
        try {
            return get(future);
        } catch (ExecutionException e) {
            throw new KafkaUnreachableException(bootstrapServers, timeout, e.getCause());
        }
    }

    private <T> T get(KafkaFuture<T> future) throws ExecutionException {
        try {
            // A second past the client's own timeout, so that the client reports why it gave up.
            return future.get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new KafkaUnreachableException(bootstrapServers, timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking Kafka at " + bootstrapServers, e);
        }
    }

    @Override
    public void close() {
        admin.close(Duration.ZERO);
    }
}
