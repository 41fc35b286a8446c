package io.auditwatch.notify.delivery;

import java.time.Duration;

/**
 * How hard one destination is tried: {@code maxAttempts} in all, exponential backoff from {@code firstBackoff}
 * up to {@code maxBackoff}, or the destination's own Retry-After when it sends one.
 */
public record RetryPolicy(int maxAttempts, Duration firstBackoff, Duration maxBackoff, Duration requestTimeout) {
    public static final RetryPolicy DEFAULT = new RetryPolicy(8, Duration.ofSeconds(1), Duration.ofMinutes(2),
            Duration.ofSeconds(30));

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
    }

    /** The wait after failed attempt number {@code attempt} (1-based). */
    Duration backoff(int attempt) {
        long millis = firstBackoff.toMillis() << Math.min(attempt - 1, 20);
        return Duration.ofMillis(Math.min(millis, maxBackoff.toMillis()));
    }
}
