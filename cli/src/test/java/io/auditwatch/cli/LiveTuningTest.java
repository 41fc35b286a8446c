package io.auditwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditwatch.alert.Alert;
import io.auditwatch.broker.SharedKafka;
import io.auditwatch.detector.DetectorApp;
import io.auditwatch.detector.DetectorConfig;
import io.auditwatch.kafka.Topics;
import io.auditwatch.event.AuditEventReader;
import io.auditwatch.notify.AlertSubscriber;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * On a real (embedded KRaft) broker: a running detector takes a threshold change pushed to auditwatch.rules
 * with {@code auditwatch rules push}, rejects a broken rule written there and goes on detecting, and
 * {@code rules diff} shows both. Waits are bounded; nothing asserts on durations.
 */
class LiveTuningTest {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    static Path dir;

    @RegisterExtension
    static final SharedKafka KAFKA = new SharedKafka();
    static DetectorApp detector;
    static AlertSubscriber alerts;
    static KafkaProducer<String, String> producer;
    static KafkaConsumer<String, String> status;
    static final List<Alert> received = new ArrayList<>();
    static int requests;

    @BeforeAll
    static void start() {
        String bootstrap = KAFKA.bootstrapServers();
        // One partition end to end, so alerts arrive in the order their events were sent.
        detector = DetectorApp.start(DetectorConfig.defaults(bootstrap, dir.resolve("state"))
                .withApplicationId("live-tuning-test").withPartitions(1));
        alerts = new AlertSubscriber(bootstrap, "live-tuning-test-alerts", false);
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                new StringSerializer(), new StringSerializer());
        status = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "live-tuning-test-status", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest"), new StringDeserializer(), new StringDeserializer());
        status.subscribe(List.of(Topics.RULES_STATUS));
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {status, producer, alerts, detector}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                System.err.println("closing " + c + ": " + e);
            }
        }
    }

    private static String event(String user, String verb, String resource, String name, String subresource, int second) {
        requests++;
        return "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"Metadata\",\"auditID\":\"live-" + requests
                + "\",\"stage\":\"ResponseComplete\",\"requestURI\":\"/api/v1/namespaces/shop/" + resource + "/" + name
                + (subresource == null ? "" : "/" + subresource) + "\",\"verb\":\"" + verb + "\",\"user\":{\"username\":\""
                + user + "\"},\"sourceIPs\":[\"10.0.1.53\"],\"userAgent\":\"curl/8.5.0\",\"objectRef\":{\"resource\":\""
                + resource + "\",\"namespace\":\"shop\",\"name\":\"" + name + "\""
                + (subresource == null ? "" : ",\"subresource\":\"" + subresource + "\"")
                + "},\"responseStatus\":{\"code\":200},\"requestReceivedTimestamp\":\"2026-11-25T10:00:"
                + String.format("%02d", second) + ".000000Z\",\"annotations\":{\"authorization.k8s.io/decision\":\"allow\"}}";
    }

    private static void send(String json) throws Exception {
        producer.send(new ProducerRecord<>(Topics.AUDIT_EVENTS, json)).get();
    }

    private static Alert await(Predicate<Alert> wanted) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            for (Alert a : received) {
                if (wanted.test(a)) {
                    return a;
                }
            }
            alerts.pollOnce(Duration.ofMillis(200), received::add);
        }
        throw new AssertionError("no such alert within " + WAIT + "; received " + received.stream()
                .map(a -> a.rule().id() + "/" + a.identity().username()).toList());
    }

    private static JsonNode awaitStatus(String rule) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            for (var r : status.poll(Duration.ofMillis(200))) {
                if (rule.equals(r.key())) {
                    return AuditEventReader.mapper().readTree(r.value());
                }
            }
        }
        throw new AssertionError("no status for " + rule + " within " + WAIT);
    }

    private static String[] cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine(Map.of());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new String[] {Integer.toString(code), out.toString(), err.toString()};
    }

    @Test
    void shouldTakeAThresholdChangeAndSurviveABrokenRule() throws Exception {
        String a = "system:serviceaccount:shop:a";
        String b = "system:serviceaccount:shop:b";
        send(event(a, "get", "secrets", "one", null, 1));
        send(event(a, "get", "secrets", "two", null, 2));
        send(event("alice@example.com", "get", "pods", "web-1", "exec", 3));
        await(x -> x.rule().id().equals("pod-exec"));
        assertTrue(received.stream().noneMatch(x -> x.rule().id().equals("secret-enumeration")),
                "two distinct secrets are below the built-in threshold of three");

        Path patch = Files.writeString(dir.resolve("patch.yml"), "id: secret-enumeration\nthreshold: 2\n");
        String[] pushed = cli("rules", "push", patch.toString(), "--bootstrap-servers", KAFKA.bootstrapServers());
        assertEquals("0", pushed[0], pushed[2]);
        JsonNode accepted = awaitStatus("secret-enumeration");
        assertTrue(accepted.path("accepted").asBoolean(), accepted.toString());

        send(event(b, "get", "secrets", "one", null, 10));
        send(event(b, "get", "secrets", "two", null, 11));
        Alert enumeration = await(x -> x.rule().id().equals("secret-enumeration"));
        assertEquals(b, enumeration.identity().username());

        String broken = "title: Exec\nid: pod-exec\nlevel: low\ndetection:\n  s:\n    requestURI|re: '(exec'\n  condition: s\n";
        Path brokenFile = Files.writeString(dir.resolve("broken.yml"), broken);
        String[] refused = cli("rules", "push", brokenFile.toString(), "--bootstrap-servers", KAFKA.bootstrapServers());
        assertEquals("1", refused[0], "push checks before it sends");
        assertTrue(refused[2].contains("pod-exec would be rejected"), refused[2]);
        producer.send(new ProducerRecord<>(Topics.RULES, "pod-exec", broken)).get();
        JsonNode rejected = awaitStatus("pod-exec");
        assertEquals(false, rejected.path("accepted").asBoolean(), rejected.toString());
        assertTrue(rejected.path("reason").asText().contains("bad regular expression"), rejected.toString());

        send(event("alice@example.com", "get", "pods", "web-2", "exec", 20));
        Alert exec = await(x -> x.rule().id().equals("pod-exec") && x.target().name().equals("web-2"));
        assertEquals("medium", exec.rule().level().json(), "the last good pod-exec runs on");

        String[] diff = cli("rules", "diff", "--bootstrap-servers", KAFKA.bootstrapServers());
        assertEquals("0", diff[0], diff[2]);
        assertTrue(diff[1].contains("patch secret-enumeration"), diff[1]);
        assertTrue(diff[1].contains("REJECTED replace pod-exec"), diff[1]);
    }

    @Test
    void shouldRefuseToRestoreAnIdWithNoChangeInForce() {
        String[] refused = cli("rules", "push", "--restore", "no-such", "--bootstrap-servers", KAFKA.bootstrapServers());

        assertEquals("1", refused[0], refused[1] + refused[2]);
        assertEquals("", refused[1], "nothing restored");
        assertEquals("auditwatch: --restore no-such: no change to it is in force (see 'auditwatch rules diff'),"
                + " so there is nothing to restore; nothing was pushed", refused[2].strip());
    }
}
