package io.auditwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.broker.EmbeddedKafka;
import io.auditwatch.detector.DetectorApp;
import io.auditwatch.detector.DetectorConfig;
import io.auditwatch.kafka.Topics;
import io.auditwatch.kafka.KafkaClients;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every component reaches a Kafka that requires SASL/SCRAM-SHA-512 through {@code --kafka-config}: the file as
 * deploy/ writes it, the password read from a mounted Secret's file by Kafka's DirectoryConfigProvider. A broker
 * of its own: the shared one (SharedKafka) has no SASL listener.
 */
class SecuredKafkaTest {
    private static final String USER = "auditwatch-snapshot";
    private static final String PASSWORD = "s3cret-scram-password";

    @TempDir
    static Path dir;

    static EmbeddedKafka kafka;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.startWithScram(null);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(USER,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), PASSWORD))).all().get();
        }
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    @AfterEach
    void forgetClientSettings() {
        KafkaClients.use(Map.of()); // a process has one Kafka: do not leak this one into other tests
    }

    /** A Strimzi KafkaUser's Secret as mounted, and the client file of deploy/base/kafka-client.yaml. */
    private static Path kafkaConfig(String password) throws Exception {
        Path secret = Files.createDirectories(dir.resolve("kafka-user-" + password.hashCode()));
        Files.writeString(secret.resolve("password"), password);
        Files.writeString(secret.resolve("sasl.jaas.config"), "org.apache.kafka.common.security.scram.ScramLoginModule"
                + " required username=\"" + USER + "\" password=\"" + password + "\";");
        return Files.writeString(dir.resolve("client-" + password.hashCode() + ".properties"), String.join("\n",
                "bootstrap.servers=" + kafka.scramBootstrapServers(),
                "security.protocol=SASL_PLAINTEXT",
                "sasl.mechanism=SCRAM-SHA-512",
                "config.providers=secret",
                "config.providers.secret.class=org.apache.kafka.common.config.provider.DirectoryConfigProvider",
                "sasl.jaas.config=${secret:" + secret + ":sasl.jaas.config}", ""));
    }

    private static long records(String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
            admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
                    .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
            return admin.listOffsets(latest).all().get().values().stream().mapToLong(o -> o.offset()).sum();
        }
    }

    @Test
    void shouldPublishTheSnapshotThroughScramWithTheSettingsOfTheKafkaConfigFile() throws Exception {
        Path pods = Files.writeString(dir.resolve("pods.json"), "{\"kind\":\"List\",\"items\":[{\"kind\":\"Pod\","
                + "\"metadata\":{\"name\":\"web-1\",\"namespace\":\"shop\"},\"spec\":{\"nodeName\":\"node-a\"}}]}");

        CliRun run = new CliRun(Map.of("AUDITWATCH_KAFKA_CONFIG", kafkaConfig(PASSWORD).toString()),
                "snapshot", "--file", pods.toString());

        assertEquals(0, run.exitCode, run.err.toString());
        assertEquals(1, records(Topics.INVENTORY), "landed through SCRAM");
    }

    @Test
    void shouldSayHowToNameKafkaWhenNoOptionDoes() throws Exception {
        Path noServers = Files.writeString(dir.resolve("no-servers.properties"), "security.protocol=SASL_SSL\n");
        Path pods = Files.writeString(dir.resolve("pods3.json"), "{\"kind\":\"List\",\"items\":[]}");
        CliRun run = new CliRun(Map.of(), "snapshot", "--file", pods.toString(), "--kafka-config", noServers.toString());
        assertEquals(2, run.exitCode, run.err.toString());
        assertEquals(List.of("auditwatch: Kafka is needed: give --bootstrap-servers (or AUDITWATCH_BOOTSTRAP_SERVERS,"
                + " or bootstrap.servers in --kafka-config)"), run.errLines());
    }

    @Test
    void shouldFailInOneLineWithAWrongPassword() throws Exception {
        Path pods = Files.writeString(dir.resolve("pods2.json"), "{\"kind\":\"List\",\"items\":[]}");
        CliRun run = new CliRun(Map.of(), "snapshot", "--file", pods.toString(),
                "--kafka-config", kafkaConfig("not-the-password").toString());
        assertTrue(run.exitCode != 0, run.err.toString());
        assertEquals(1, run.errLines().size(), run.err.toString());
        assertTrue(run.errLines().get(0).startsWith("auditwatch: "), run.err.toString());
        assertTrue(!run.err.toString().contains("not-the-password"), "the password is never printed");
    }

    @Test
    void shouldRunTheDetectorThroughScramWithKafkaStreamsSettingsFromTheFile() throws Exception {
        KafkaClients.use(Map.of());
        Map<String, String> settings = new java.util.HashMap<>(KafkaClients.read(kafkaConfig(PASSWORD)));
        String servers = settings.remove(KafkaClients.BOOTSTRAP_SERVERS);
        // The detector's own file: static membership from the pod's name as the downward API mounts it.
        Path pod = Files.createDirectories(dir.resolve("pod"));
        Files.writeString(pod.resolve("name"), "auditwatch-detector-0");
        settings.put("config.providers", "secret");
        settings.put("group.instance.id", "${secret:" + pod + ":name}");
        settings.put("num.standby.replicas", "1");
        KafkaClients.use(settings);
        DetectorConfig config = DetectorConfig.defaults(servers, dir.resolve("streams"));
        try (DetectorApp app = DetectorApp.start(config)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (!app.ready() && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertTrue(app.ready(), "Kafka Streams running through SCRAM");
            assertTrue(app.alive());
        }
    }
}
