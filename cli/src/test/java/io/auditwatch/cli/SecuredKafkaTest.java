package io.auditwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.broker.EmbeddedKafka;
import io.auditwatch.detector.DetectorApp;
import io.auditwatch.detector.DetectorConfig;
import io.auditwatch.kafka.Topics;
import io.auditwatch.ingest.AuditProducer;
import io.auditwatch.ingest.TestPki;
import io.auditwatch.ingest.webhook.WebhookConfig;
import io.auditwatch.ingest.webhook.WebhookReceiver;
import io.auditwatch.kafka.KafkaClients;
import io.auditwatch.metrics.PrometheusEndpoint;
import io.auditwatch.notify.CrashingNotifier;
import io.auditwatch.notify.Notifier;
import io.auditwatch.notify.testing.LoopbackReceiver;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
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
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every component reaches a Kafka that requires SASL/SCRAM-SHA-512 over TLS, as a Strimzi KafkaUser and the
 * cluster's authenticated listener give it, through {@code --kafka-config}: the file as deploy/ writes it, the
 * password read from a mounted Secret's file by Kafka's DirectoryConfigProvider, the cluster CA as a PEM file. A
 * broker of its own: the shared one (SharedKafka) has no SASL listener.
 */
@Tag("slow") // A broker of its own with SCRAM over TLS (about a minute): run by `mvn verify -Pslow` and CI
class SecuredKafkaTest {
    private static final String USER = "auditwatch-snapshot";
    private static final String PASSWORD = "s3cret-scram-password";

    @TempDir
    static Path dir;

    static EmbeddedKafka kafka;
    static TestPki pki;

    @BeforeAll
    static void start() throws Exception {
        pki = new TestPki(dir); // writes the CA as ca.crt, as Strimzi's cluster CA Secret holds it
        Path[] listener = pki.server("kafka");
        kafka = EmbeddedKafka.startWithScram(null, listener[0], listener[1]);
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
                "security.protocol=SASL_SSL",
                "sasl.mechanism=SCRAM-SHA-512",
                "config.providers=secret",
                "config.providers.secret.class=org.apache.kafka.common.config.provider.DirectoryConfigProvider",
                "sasl.jaas.config=${secret:" + secret + ":sasl.jaas.config}",
                "ssl.truststore.type=PEM",
                "ssl.truststore.location=" + dir.resolve("ca.crt"), ""));
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
        assertEquals(1, records(Topics.INVENTORY), "landed through SCRAM over TLS");
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

    @Test
    void shouldCarryAnExecFromTheWebhookThroughTheDetectorToSlackWithScramOverTlsFromTheKafkaConfigFile()
            throws Exception {
        KafkaOptions options = new KafkaOptions();
        options.kafkaConfig = List.of(kafkaConfig(PASSWORD));
        String servers = options.connect(); // what --kafka-config does: every client of this process uses the file
        Files.writeString(dir.resolve("token"), "webhook-token\n");
        Path[] serving = pki.server("ingest");
        String exec = Files.readAllLines(Path.of("../replay-data/rules/pod-exec/positive.jsonl")).get(0);
        DetectorConfig config = DetectorConfig.defaults(servers, dir.resolve("e2e-streams"));
        try (DetectorApp detector = DetectorApp.start(config);
             AuditProducer producer = new AuditProducer(servers, Duration.ofSeconds(30));
             PrometheusEndpoint metrics = new PrometheusEndpoint();
             WebhookReceiver ingest = WebhookReceiver.start(new WebhookConfig(new InetSocketAddress("127.0.0.1", 0),
                     serving[0], serving[1], null, List.of(), dir.resolve("token"), false, 1024 * 1024,
                     Duration.ofSeconds(5), Duration.ofSeconds(10), 2, "prod-eu"), producer, metrics);
             LoopbackReceiver slack = LoopbackReceiver.slack(); LoopbackReceiver pd = LoopbackReceiver.pagerDuty();
             Notifier notifier = new Notifier(CrashingNotifier.config(servers, "secured-e2e", Duration.ZERO, 3),
                     CrashingNotifier.plan(slack.url("/services/T/B/X"), pd.url("")), Clock.systemUTC(), null)) {
            HttpResponse<String> answer = HttpClient.newBuilder().sslContext(pki.client(null)).build().send(
                    HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + ingest.port() + "/audit"))
                            .header("Authorization", "Bearer webhook-token")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"kind\":\"EventList\",\"apiVersion\":"
                                    + "\"audit.k8s.io/v1\",\"items\":[" + exec + "]}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, answer.statusCode(), "ingest acknowledged once Kafka had the event: " + answer.body());
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (slack.accepted().isEmpty()) {
                assertTrue(System.nanoTime() < deadline, "no alert in Slack within 120 s");
                notifier.runOnce(Duration.ofMillis(200));
            }
            assertEquals(List.of(), slack.violations());
            assertEquals(1, slack.accepted().size());
            String posted = slack.accepted().get(0).text();
            assertTrue(posted.startsWith("{\"text\":\"[MEDIUM] Exec or attach into a pod: alice@example.com — exec into pod"
                    + " shop/web-1 (cluster prod-eu)\""), posted);
            assertEquals(0, pd.accepted().size(), "medium does not page");
        }
    }
}
