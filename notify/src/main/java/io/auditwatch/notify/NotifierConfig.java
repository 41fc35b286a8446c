package io.auditwatch.notify;

import io.auditwatch.notify.delivery.RetryPolicy;
import java.time.Duration;

/**
 * The notifier's settings.
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
    public static final Duration DEFAULT_GROUP_WINDOW = Duration.ofMinutes(5);
    public static final Duration DEFAULT_STORE_RETENTION = Duration.ofDays(7);
    public static final int DEFAULT_MAX_PENDING = 10_000;
    public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(45);
}
