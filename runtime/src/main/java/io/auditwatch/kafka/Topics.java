package io.auditwatch.kafka;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

/** The topics of the data flow (docs/design.md), with the partitions and configs they are created with. */
public final class Topics {
    public static final String AUDIT_EVENTS = "audit.events";
    public static final String AUDIT_DLQ = "audit.dlq";
    public static final String ALERTS = "auditwatch.alerts";
    /** Alerts a destination would not take after every attempt, with the destination and its last error. */
    public static final String ALERTS_DLQ = "auditwatch.alerts.dlq";
    /** Run-time tuning of the notifier's routes: the latest record wins, a tombstone restores the file's. */
    public static final String ROUTES = "auditwatch.routes";
    /** The notifier's deliveries, so that no instance posts an alert twice; the notifier creates it. */
    public static final String DELIVERIES = "auditwatch.notify.deliveries";
    public static final String INVENTORY = "auditwatch.inventory";
    /** What the node graph sends between its partitions (a claim used on a node, a pod token's resolved node). */
    public static final String GRAPH_FORWARDS = "auditwatch.nodegraph.forwards";
    public static final String RULES = "auditwatch.rules";
    /** The outcome of every change to auditwatch.rules (accepted or rejected with the reason), keyed by rule id. */
    public static final String RULES_STATUS = "auditwatch.rules.status";

    /** Partitions of the topics a component creates when they are missing (existing topics are left alone). */
    public static final int DEFAULT_PARTITIONS = 3;
    /** Room for a batch or an event carrying a 1.5 MiB object twice (request and response), with headroom. */
    public static final int MAX_RECORD_BYTES = 10 * 1024 * 1024;
    /** The broker stamps each record as it appends it; what a producer set is ignored. */
    public static final String LOG_APPEND_TIME = "LogAppendTime";

    private Topics() {
    }

    /**
     * How the pipeline's topics (and the detector's changelog and repartition topics) are replicated on a cluster
     * of a given size: three copies once there are three brokers, of which two must acknowledge a write
     * ({@code acks=all}), so one broker may die with nothing lost and writes going on; fewer on a smaller cluster.
     */
    public record Replication(short factor, int minInsync) {
        public static Replication forBrokers(int brokers) {
            short factor = (short) Math.max(1, Math.min(3, brokers));
            return new Replication(factor, factor >= 3 ? 2 : 1);
        }
    }

    /**
     * Every topic the pipeline needs, replicated as {@code replication} says. Every one is stamped on append
     * (LogAppendTime), so the broker never refuses a record for its time and retention counts from when a record
     * was written, never from the event time of an old or future-dated audit event (which travels in the value).
     */
    public static List<NewTopic> all(int partitions, Replication replication) {
        String maxBytes = Integer.toString(MAX_RECORD_BYTES);
        String month = Long.toString(30L * 24 * 3600 * 1000);
        return List.of(
                topic(AUDIT_EVENTS, partitions, replication, Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, maxBytes)),
                // Bad input is evidence too: keep it a month.
                topic(AUDIT_DLQ, 1, replication, Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, maxBytes,
                        TopicConfig.RETENTION_MS_CONFIG, month)),
                // A notifier down over a long weekend, or a back-fill's alerts read days later, must still find them.
                topic(ALERTS, partitions, replication, Map.of(TopicConfig.RETENTION_MS_CONFIG, month)),
                // An undelivered alert is still an alert: keep it a month, like bad input.
                topic(ALERTS_DLQ, 1, replication, Map.of(TopicConfig.RETENTION_MS_CONFIG, month)),
                topic(ROUTES, 1, replication, Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)),
                topic(INVENTORY, partitions, replication, Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)),
                // Read within seconds of being written; a day covers a detector that was down.
                topic(GRAPH_FORWARDS, partitions, replication, Map.of(TopicConfig.RETENTION_MS_CONFIG, Long.toString(24L * 3600 * 1000))),
                // Every instance reads all rules (a global store): one partition keeps them in order.
                topic(RULES, 1, replication, Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)),
                topic(RULES_STATUS, 1, replication, Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
    }

    private static NewTopic topic(String name, int partitions, Replication replication, Map<String, String> configs) {
        Map<String, String> stamped = new HashMap<>(configs);
        stamped.put(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, LOG_APPEND_TIME);
        stamped.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(replication.minInsync()));
        return new NewTopic(name, Optional.of(partitions), Optional.of(replication.factor())).configs(stamped);
    }
}
