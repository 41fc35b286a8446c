package io.auditwatch.detector;

import io.auditwatch.kafka.KafkaAdmin;
import io.auditwatch.kafka.Topics;
import io.auditwatch.kafka.KafkaClients;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.auditwatch.event.WireFormat;
import io.auditwatch.language.TunedRules;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the detector topology against a Kafka cluster. */
public final class DetectorApp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DetectorApp.class);

    private final KafkaStreams streams;
    private final RuleStatusPublisher ruleStatus;
    private volatile MeterRegistry boundRegistry;
    private final CompletableFuture<String> failure = new CompletableFuture<>();

    private DetectorApp(KafkaStreams streams, RuleStatusPublisher ruleStatus) {
        this.streams = streams;
        this.ruleStatus = ruleStatus;
    }

    /**
     * Creates missing topics, then starts the topology.
     *
     * @throws IncompatibleFormatException when an instance of the application's group advertises another wire format
     */
    public static DetectorApp start(DetectorConfig config) {
        Topics.Replication replication = KafkaAdmin.ensureTopics(config.bootstrapServers(), config.partitions(),
                Duration.ofSeconds(30));
        WireFormatGuard.requireCompatible(config.bootstrapServers(), config.applicationId());
        Properties properties = properties(config);
        // Changelogs and repartition topics as the pipeline's own: a broker's death loses no state.
        properties.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) replication.factor());
        properties.put(StreamsConfig.topicPrefix(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG),
                Integer.toString(replication.minInsync()));
        RuleStatusPublisher ruleStatus = new RuleStatusPublisher(config.bootstrapServers(), instanceName(config));
        KafkaStreams streams = new KafkaStreams(DetectorTopology.build(config,
                TunedRules.defaults(config.analysis().requestMemory()), ruleStatus), properties);
        DetectorApp app = new DetectorApp(streams, ruleStatus);
        streams.setUncaughtExceptionHandler(e -> {
            IncompatibleFormatException incompatible = incompatible(e);
            if (incompatible != null) {
                LOG.error("stopping this instance: {}", incompatible.getMessage());
                app.failure.complete(incompatible.getMessage());
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            }
            LOG.error("stream thread failed; replacing it", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.start();
        return app;
    }

    private static IncompatibleFormatException incompatible(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IncompatibleFormatException incompatible) {
                return incompatible;
            }
        }
        return null;
    }

    /**
     * Waits until this instance stops on its own for good, which it does only when it cannot read what another
     * version of auditwatch wrote: returns why, for the command to exit with it.
     */
    public String awaitFailure() throws InterruptedException {
        try {
            return failure.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Names this instance in rule status records: application id, host and process. */
    private static String instanceName(DetectorConfig config) {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            host = "unknown-host";
        }
        return config.applicationId() + "@" + host + "/" + ProcessHandle.current().pid();
    }

    public static Properties properties(DetectorConfig config) {
        Properties p = KafkaClients.properties(config.bootstrapServers());
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        // Advertises this version's wire format to the group (WireFormatGuard): Kafka Streams names its consumers
        // after the client id. Unique per instance as Kafka Streams' own default is; a client.id of --kafka-config
        // stays its prefix.
        Object clientId = p.get(StreamsConfig.CLIENT_ID_CONFIG);
        p.put(StreamsConfig.CLIENT_ID_CONFIG, WireFormat.clientId(clientId != null ? clientId.toString()
                : config.applicationId() + "-" + UUID.randomUUID().toString().substring(0, 8)));
        p.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toString());
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.streamThreads());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG,
                config.exactlyOnce() ? StreamsConfig.EXACTLY_ONCE_V2 : StreamsConfig.AT_LEAST_ONCE);
        // The global rules store (auditwatch.rules) needs it; opting in now is what 5.0 makes the default.
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        // The partition assignor reads a StreamsConfig of its own from the main consumer's settings and warns when
        // the flag is missing there: every start printed that WARN.
        p.put(StreamsConfig.mainConsumerPrefix(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG), true);
        // Do not wait for the inventory and graph-forward partitions that share a task with audit.events: they are
        // nearly always empty, and with waiting enabled Kafka Streams 4.4 formats a log line per record and empty
        // partition (PartitionGroup.readyToProcess), 7% of the stream thread. The graph's grace window absorbs the
        // order between those inputs.
        p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, StreamsConfig.MAX_TASK_IDLE_MS_DISABLED);
        // Repartition and changelog records are small and many: bigger batches cost the broker fewer requests
        // (measured: a quarter less CPU per event for the reference job, a tenth for the detector).
        p.put(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), 256 * 1024);
        // Audit events can be megabytes (a ConfigMap logged as request and response): let them through every hop.
        p.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), Topics.MAX_RECORD_BYTES + 65_536);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG), Topics.MAX_RECORD_BYTES);
        p.put(StreamsConfig.topicPrefix(TopicConfig.MAX_MESSAGE_BYTES_CONFIG), Integer.toString(Topics.MAX_RECORD_BYTES));
        // Repartition and changelog records are stamped by the broker as well: not even this host's own clock may
        // get a record refused.
        p.put(StreamsConfig.topicPrefix(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG), Topics.LOG_APPEND_TIME);
        return p;
    }

    /**
     * Publishes to {@code registry} the events parsed (by source) and rejected (by reason), Kafka Streams' own
     * metrics (throughput, lag, state stores) and the JVM's.
     */
    public void bindMetrics(MeterRegistry registry) {
        Metrics.addRegistry(registry);
        boundRegistry = registry;
        new KafkaStreamsMetrics(streams).bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
    }

    /**
     * Alive unless Kafka Streams has failed for good (ERROR, or stopped): a restart is then the cure. A restore
     * or a rebalance is alive.
     */
    public boolean alive() {
        KafkaStreams.State state = streams.state();
        return state != KafkaStreams.State.ERROR && state != KafkaStreams.State.PENDING_ERROR
                && state != KafkaStreams.State.NOT_RUNNING;
    }

    /** Ready once every task is assigned and restored (RUNNING): a rolling restart waits for it. */
    public boolean ready() {
        return streams.state() == KafkaStreams.State.RUNNING;
    }

    /** Kafka Streams' own metrics, as {@link KafkaStreams#metrics()} gives them. */
    public Map<MetricName, ? extends Metric> metrics() {
        return streams.metrics();
    }

    @Override
    public void close() {
        streams.close(Duration.ofSeconds(30));
        ruleStatus.close();
        if (boundRegistry != null) {
            Metrics.removeRegistry(boundRegistry);
        }
    }
}
