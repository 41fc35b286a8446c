package io.auditwatch.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.alert.Alert;
import io.auditwatch.broker.SharedKafka;
import io.auditwatch.detector.DetectorApp;
import io.auditwatch.detector.DetectorConfig;
import io.auditwatch.kafka.DlqHeaders;
import io.auditwatch.kafka.Topics;
import io.auditwatch.notify.AlertSubscriber;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Bad input through a real broker: each kind of rejection reaches the DLQ with its reason, and detection goes on. */
class DetectorDlqEndToEndTest {
    @RegisterExtension
    static final SharedKafka KAFKA = new SharedKafka();
    private static final Duration PATIENCE = Duration.ofSeconds(90);

    @TempDir
    Path stateDir;

    @Test
    void shouldRouteBadInputToTheDlqWithItsReasonAndKeepDetecting() throws Exception {
        try (DetectorApp detector = DetectorApp.start(DetectorConfig.defaults(KAFKA.bootstrapServers(), stateDir)
                .withApplicationId(SharedKafka.uniqueId("e2e-detector")))) {
            sendBadInputAndCheckTheDlq();
        }
    }

    private static void sendBadInputAndCheckTheDlq() throws Exception {
        byte[] notJson = "not json at all".getBytes(StandardCharsets.UTF_8);
        byte[] truncated = "{\"kind\":\"Event\",\"verb\":\"get\",\"user\":{".getBytes(StandardCharsets.UTF_8);
        byte[] wrongType = "{\"kind\":\"Event\",\"verb\":\"get\",\"user\":\"bob\"}".getBytes(StandardCharsets.UTF_8);
        byte[] huge = new byte[5 * 1024 * 1024];
        Arrays.fill(huge, (byte) ' ');
        huge[0] = '{';
        huge[huge.length - 1] = '}';
        byte[] good = ("{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"auditID\":\"e2e-dlq-1\",\"stage\":\"ResponseComplete\","
                + "\"verb\":\"get\",\"requestURI\":\"/api/v1/namespaces/x/secrets/s\",\"user\":{\"username\":\"eve@example.com\"},"
                + "\"objectRef\":{\"resource\":\"secrets\",\"namespace\":\"x\",\"name\":\"s\"},\"responseStatus\":{\"code\":200},"
                + "\"requestReceivedTimestamp\":\"2026-11-20T04:00:00.000000Z\"}").getBytes(StandardCharsets.UTF_8);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers(),
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (byte[] value : List.of(notJson, truncated, wrongType, huge, good)) {
                producer.send(new ProducerRecord<>(Topics.AUDIT_EVENTS, value)).get();
            }
        }

        List<ConsumerRecord<byte[], byte[]>> rejected = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> dlq = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "e2e-dlq",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            dlq.subscribe(List.of(Topics.AUDIT_DLQ));
            long deadline = System.nanoTime() + PATIENCE.toNanos();
            while (rejected.size() < 4 && System.nanoTime() < deadline) {
                dlq.poll(Duration.ofMillis(500)).forEach(rejected::add);
            }
        }
        Set<String> reasons = rejected.stream().map(r -> DlqHeaders.get(r.headers(), DlqHeaders.REASON))
                .collect(Collectors.toSet());
        assertEquals(Set.of("not-json", "truncated-json", "wrong-field-type", "oversized"), reasons);
        ConsumerRecord<byte[], byte[]> first = rejected.stream()
                .filter(r -> "not-json".equals(DlqHeaders.get(r.headers(), DlqHeaders.REASON))).findFirst().orElseThrow();
        assertArrayEquals(notJson, first.value(), "the DLQ keeps the raw record");
        assertEquals(Topics.AUDIT_EVENTS, DlqHeaders.get(first.headers(), DlqHeaders.SOURCE_TOPIC));
        assertTrue(rejected.stream().anyMatch(r -> r.value().length == huge.length), "the 5 MB record is kept whole");

        List<Alert> alerts = new ArrayList<>();
        try (AlertSubscriber subscriber = new AlertSubscriber(KAFKA.bootstrapServers(), "e2e-dlq-alerts", false)) {
            long deadline = System.nanoTime() + PATIENCE.toNanos();
            while (alerts.stream().noneMatch(a -> "e2e-dlq-1".equals(a.evidence().get(0).auditID()))
                    && System.nanoTime() < deadline) {
                subscriber.pollOnce(Duration.ofMillis(500), alerts::add);
            }
        }
        assertTrue(alerts.stream().anyMatch(a -> "e2e-dlq-1".equals(a.evidence().get(0).auditID())
                && "secret-read".equals(a.rule().id())), "the good event after the bad ones still raises its alert");
    }
}
