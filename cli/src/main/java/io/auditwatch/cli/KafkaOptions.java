package io.auditwatch.cli;

import io.auditwatch.kafka.KafkaAdmin;
import io.auditwatch.kafka.KafkaClients;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The Kafka options of every command that talks to Kafka, declared once: where the cluster is and, for a
 * secured cluster (TLS, mTLS, SASL/SCRAM: every production cluster), a client properties file passed through to
 * every producer, consumer, admin client and Kafka Streams instance, as Kafka's own tools take one.
 */
public final class KafkaOptions {
    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,HOST:PORT...]",
            description = "Kafka to connect to (else bootstrap.servers of --kafka-config).")
    String bootstrapServers;

    @Option(names = "--kafka-config", paramLabel = "FILE", split = ",",
            description = "Kafka client properties for every client of this command: security.protocol, sasl.*,"
                    + " ssl.* (PEM or PKCS#12 stores), config.providers (e.g. to read a mounted Secret), any other"
                    + " (for the detector also Kafka Streams', e.g. num.standby.replicas). Several files: later wins.")
    List<Path> kafkaConfig;

    @Option(names = "--kafka-wait", paramLabel = "DURATION", defaultValue = KafkaAdmin.DEFAULT_WAIT,
            description = "How long to wait at start for Kafka to answer before exiting with \"cannot reach Kafka\""
                    + " (ISO-8601, e.g. PT2M where Kafka may come up after auditwatch).")
    Duration kafkaWait = KafkaAdmin.REACHABLE_WITHIN;

    /**
     * Applies {@code --kafka-config} to this process's clients and returns the bootstrap servers once Kafka answers.
     *
     * @throws UserError when no bootstrap servers are given, or the file cannot be read
     * @throws io.auditwatch.kafka.KafkaUnreachableException when Kafka does not answer within {@code --kafka-wait}
     */
    public String connect() {
        String servers = connectIfGiven();
        if (servers == null) {
            throw new UserError("Kafka is needed: give --bootstrap-servers (or AUDITWATCH_BOOTSTRAP_SERVERS, or"
                    + " bootstrap.servers in --kafka-config)", null, 2);
        }
        return servers;
    }

    /** How long this command waits for Kafka to answer ({@code --kafka-wait}). */
    public Duration kafkaWait() {
        return kafkaWait;
    }

    /** {@link #connect}, or null when no Kafka was named (the command may start its own). */
    public String connectIfGiven() {
        Map<String, String> properties = new HashMap<>();
        for (Path file : kafkaConfig == null ? List.<Path>of() : kafkaConfig) {
            try {
                properties.putAll(KafkaClients.read(file));
            } catch (IOException e) {
                throw new UserError("cannot read --kafka-config " + file + ": " + e.getMessage(), e, 2);
            }
        }
        String fromFile = properties.remove(KafkaClients.BOOTSTRAP_SERVERS);
        KafkaClients.use(properties);
        String servers = bootstrapServers != null ? bootstrapServers : fromFile;
        if (servers == null || servers.isBlank()) {
            return null;
        }
        KafkaAdmin.requireReachable(servers.strip(), kafkaWait);
        return servers.strip();
    }
}
