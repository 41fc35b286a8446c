package io.auditwatch.detector;

import io.auditwatch.kafka.KafkaClients;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Whether Kafka answers, for a readiness probe: a cluster description within a few seconds, asked at most
 * once per {@code cacheFor} however often the probe comes.
 */
public final class KafkaProbe implements AutoCloseable {
    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(3);

    private final Admin admin;
    private final long cacheNanos;
    private long askedAt;
    private boolean reachable;
    private boolean asked;

    public KafkaProbe(String bootstrapServers, Duration cacheFor) {
        Map<String, Object> config = KafkaClients.config(bootstrapServers);
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "auditwatch-probe");
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ASK_TIMEOUT.toMillis());
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) ASK_TIMEOUT.toMillis());
        this.admin = Admin.create(config);
        this.cacheNanos = cacheFor.toNanos();
    }

    public synchronized boolean reachable() {
        long now = System.nanoTime();
        if (!asked || now - askedAt >= cacheNanos) {
            try {
                admin.describeCluster().nodes().get(ASK_TIMEOUT.toMillis() + 500, TimeUnit.MILLISECONDS);
                reachable = true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                reachable = false;
            } catch (Exception e) {
                reachable = false;
            }
            asked = true;
            askedAt = System.nanoTime();
        }
        return reachable;
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(1));
    }
}
