package io.auditwatch.notify;

import io.auditwatch.kafka.Topics;
import io.auditwatch.notify.delivery.RetryPolicy;
import java.time.Duration;

/**
 * The notifier's settings, immutable; their defaults are declared here ({@link #defaults}) and nowhere else. The
 * CLI fills it from flags and environment variables of the same name; a copy with one change is a
 * {@code with...} call.
 *
 * @param routesTopic    compacted topic whose latest record replaces the routes at run time, or null
 * @param fromLatest     a new consumer group starts at the end of the alerts topic instead of its beginning
 * @param groupWindow    repeats of one dedup key within this window become one message; zero turns it off
 * @param maxPending     alerts read but not yet delivered everywhere before the notifier stops reading
 * @param deliveriesTopic compacted topic where deliveries are remembered, for every instance of the group
 * @param storeRetention how long a delivery is remembered (longer than any redelivery can take)
 * @param sessionTimeout how long a crashed notifier keeps its partitions before another instance (or its own
 *                       restart) takes them over
 */
public record NotifierConfig(String bootstrapServers, String groupId, String alertsTopic, String dlqTopic,
                             String routesTopic, boolean fromLatest, Duration groupWindow, RetryPolicy retry, int maxPending,
                             String deliveriesTopic, Duration storeRetention, Duration sessionTimeout) {
    public static final String DEFAULT_GROUP_ID = "auditwatch-notify";

    /** The pipeline's topics, the group {@value #DEFAULT_GROUP_ID}, from the start of the alerts topic. */
    public static NotifierConfig defaults(String bootstrapServers) {
        return new NotifierConfig(bootstrapServers, DEFAULT_GROUP_ID, Topics.ALERTS, Topics.ALERTS_DLQ, Topics.ROUTES,
                false, Duration.ofMinutes(5), RetryPolicy.DEFAULT, 10_000, Topics.DELIVERIES, Duration.ofDays(7),
                Duration.ofSeconds(45));
    }

    public NotifierConfig withGroupId(String id) {
        return new NotifierConfig(bootstrapServers, id, alertsTopic, dlqTopic, routesTopic, fromLatest, groupWindow,
                retry, maxPending, deliveriesTopic, storeRetention, sessionTimeout);
    }

    /** This config reading the routes from {@code topic}, or only from the routing file when it is null. */
    public NotifierConfig withRoutesTopic(String topic) {
        return new NotifierConfig(bootstrapServers, groupId, alertsTopic, dlqTopic, topic, fromLatest, groupWindow,
                retry, maxPending, deliveriesTopic, storeRetention, sessionTimeout);
    }

    /** This config starting a new group at the end of the alerts topic: only alerts raised from now on. */
    public NotifierConfig startingAtLatest() {
        return new NotifierConfig(bootstrapServers, groupId, alertsTopic, dlqTopic, routesTopic, true, groupWindow,
                retry, maxPending, deliveriesTopic, storeRetention, sessionTimeout);
    }

    public NotifierConfig withDelivery(Duration window, RetryPolicy policy) {
        return new NotifierConfig(bootstrapServers, groupId, alertsTopic, dlqTopic, routesTopic, fromLatest, window,
                policy, maxPending, deliveriesTopic, storeRetention, sessionTimeout);
    }

    public NotifierConfig withDeliveriesTopic(String topic) {
        return new NotifierConfig(bootstrapServers, groupId, alertsTopic, dlqTopic, routesTopic, fromLatest, groupWindow,
                retry, maxPending, topic, storeRetention, sessionTimeout);
    }

    public NotifierConfig withSessionTimeout(Duration timeout) {
        return new NotifierConfig(bootstrapServers, groupId, alertsTopic, dlqTopic, routesTopic, fromLatest, groupWindow,
                retry, maxPending, deliveriesTopic, storeRetention, timeout);
    }
}
