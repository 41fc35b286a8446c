package io.auditwatch.kafka;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The settings every Kafka client of this process starts from: the bootstrap servers plus the client properties
 * of {@code --kafka-config} (security.protocol, SASL, TLS stores, config providers: anything the Kafka clients
 * take), as Kafka's own tools pass a client properties file. A process talks to one Kafka cluster, so the file is
 * set once at start ({@link #use}) and read by every producer, consumer, admin client and Kafka Streams
 * instance; each adds its own settings on top, which win. Plain maps: every module that talks to Kafka reads
 * them, and this one (the engine) needs no Kafka library for it.
 */
public final class KafkaClients {
    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    private static volatile Map<String, String> properties = Map.of();

    private KafkaClients() {
    }

    /** Sets the client properties for the rest of the process (the CLI, once, before any client starts). */
    public static void use(Map<String, String> clientProperties) {
        properties = Map.copyOf(clientProperties);
    }

    /** The client properties in force (without bootstrap servers). */
    public static Map<String, String> properties() {
        return properties;
    }

    /** A mutable client configuration: the properties in force, then {@code bootstrapServers}. */
    public static Map<String, Object> config(String bootstrapServers) {
        Map<String, Object> config = new HashMap<>(properties);
        config.put(BOOTSTRAP_SERVERS, bootstrapServers);
        return config;
    }

    /** {@link #config} as Properties, for the clients built from them. */
    public static Properties properties(String bootstrapServers) {
        Properties p = new Properties();
        p.putAll(config(bootstrapServers));
        return p;
    }

    /**
     * Reads a Java properties file of Kafka client settings.
     *
     * @throws IOException naming the file when it cannot be read
     */
    public static Map<String, String> read(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        }
        Map<String, String> out = new HashMap<>();
        p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k).strip()));
        return out;
    }
}
