package io.auditwatch.cli;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import io.auditwatch.detector.KafkaUnreachableException;
import io.auditwatch.kafka.KafkaClients;
import org.apache.kafka.common.KafkaException;

/** Fail fast, in one line, when the Kafka a command was pointed at is not there. */
public final class KafkaCheck {

    private KafkaCheck() {
    }

    /**
     * Returns when {@code bootstrapServers} answers within {@code timeout}; otherwise throws the detector's
     * {@link KafkaUnreachableException} (one message for every command), which the CLI prints as one line.
     */
    public static void requireReachable(String bootstrapServers, Duration timeout) {
        int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        Map<String, Object> config = KafkaClients.config(bootstrapServers);
        config.putAll(Map.of(
                AdminClientConfig.CLIENT_ID_CONFIG, "auditwatch-check",
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, millis,
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000));
        Admin admin;
        try {
            admin = Admin.create(config);
        } catch (KafkaException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new UserError("invalid --bootstrap-servers '" + bootstrapServers + "': " + cause.getMessage(), e);
        }
        try {
            admin.describeCluster().nodes().get(millis + 1000L, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new KafkaUnreachableException(bootstrapServers, timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserError("interrupted while connecting to Kafka at " + bootstrapServers, e);
        } finally {
            admin.close(Duration.ZERO);
        }
    }
}
