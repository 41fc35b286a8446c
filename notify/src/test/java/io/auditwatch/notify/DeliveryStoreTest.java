package io.auditwatch.notify;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.broker.SharedKafka;
import io.auditwatch.notify.delivery.DeliveryStore;
import io.auditwatch.notify.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The delivery record in Kafka, shared by every notifier instance of a group, against a real broker. */
class DeliveryStoreTest {
    @RegisterExtension
    static final SharedKafka KAFKA = new SharedKafka();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));
    private final String topic = "deliveries-" + UUID.randomUUID();

    private DeliveryStore open(String group) {
        return DeliveryStore.open(KAFKA.bootstrapServers(), group, topic, Duration.ofDays(7), clock);
    }

    @Test
    void shouldKnowWhatAnotherInstanceOfTheGroupDeliveredOnceItCatchesUp() {
        try (DeliveryStore first = open("notify"); DeliveryStore second = open("notify");
             DeliveryStore otherGroup = open("demo-notify")) {
            first.record("slack", "a1");
            assertTrue(first.contains("slack", "a1"));
            assertFalse(first.contains("pagerduty", "a1"), "per destination");
            second.catchUp(); // as on a partition assignment
            assertTrue(second.contains("slack", "a1"), "another instance, sharing only Kafka");
            assertFalse(second.contains("slack", "a2"));
            otherGroup.catchUp();
            assertFalse(otherGroup.contains("slack", "a1"), "another group is another pipeline");
        }
        try (DeliveryStore restarted = open("notify")) {
            assertTrue(restarted.contains("slack", "a1"), "and after a restart");
        }
    }

    @Test
    void shouldForgetDeliveriesOlderThanTheRetention() {
        try (DeliveryStore store = open("notify")) {
            store.record("slack", "old");
            clock.advance(Duration.ofDays(6));
            store.record("slack", "recent");
        }
        clock.advance(Duration.ofDays(2));
        try (DeliveryStore store = open("notify")) {
            assertFalse(store.contains("slack", "old"));
            assertTrue(store.contains("slack", "recent"));
        }
    }

    @Test
    void shouldWriteNothingFromTheAlertItself() {
        try (DeliveryStore store = open("notify")) {
            store.record("slack", "<!channel> secret-looking-id");
        }
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.GROUP_ID_CONFIG, "read-" + UUID.randomUUID()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            int seen = 0;
            for (int polls = 0; polls < 50 && seen == 0; polls++) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    seen++;
                    String all = new String(r.key(), StandardCharsets.UTF_8) + new String(r.value(), StandardCharsets.UTF_8);
                    assertFalse(all.contains("channel") || all.contains("slack") || all.contains("notify"), all);
                }
            }
            assertTrue(seen > 0, "the record was read back");
        }
    }
}
