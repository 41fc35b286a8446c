package io.auditwatch.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.alert.Alert;
import io.auditwatch.alert.AlertCodec;
import io.auditwatch.alert.Level;
import io.auditwatch.broker.SharedKafka;
import io.auditwatch.kafka.Topics;
import io.auditwatch.notify.pagerduty.PagerDutyEvent;
import io.auditwatch.notify.slack.SlackMessage;
import io.auditwatch.notify.testing.LoopbackReceiver;
import io.auditwatch.notify.testing.SampleAlerts;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A notifier stopped gracefully (a rolling update, a scale-down) while Slack is still answering a post, against a
 * real broker and real HTTP receivers on loopback: the stop waits for that answer, records and commits it, and
 * the next instance of the group posts nothing twice and loses nothing.
 */
class NotifierGracefulStopTest {
    @RegisterExtension
    static final SharedKafka KAFKA = new SharedKafka().withPipelineTopics();

    @Test
    void shouldNotPostAgainWhatSlackAcceptedWhileTheNotifierWasStopping() throws Exception {
        String id = UUID.randomUUID().toString();
        String alertsTopic = Topics.ALERTS;
        String group = "notify-" + id;
        List<Alert> alerts = new ArrayList<>();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 3; i++) {
                Alert alert = SampleAlerts.alert("g" + i, Level.HIGH);
                alerts.add(alert);
                producer.send(new ProducerRecord<>(alertsTopic, alert.dedupKey(), AlertCodec.toBytes(alert))).get();
            }
        }
        NotifierConfig config = CrashingNotifier.config(KAFKA.bootstrapServers(), group, Duration.ZERO, 3)
                .withDeliveriesTopic("deliveries-" + id);
        try (LoopbackReceiver slack = LoopbackReceiver.slack(); LoopbackReceiver pd = LoopbackReceiver.pagerDuty()) {
            var plan = CrashingNotifier.plan(slack.url("/services/T/B/X"), pd.url(""));
            // Slack takes 2 s to answer: the stop comes while it holds the first post.
            slack.hold(Duration.ofSeconds(2));
            Notifier first = new Notifier(config, plan, Clock.systemUTC(), null);
            Thread loop = new Thread(() -> {
                try (first) {
                    first.run();
                }
            }, "first-notifier");
            loop.start();
            await(() -> slack.accepted().size() == 1, "Slack received the first post");
            first.stop();
            loop.join(TimeUnit.SECONDS.toMillis(30));
            assertTrue(!loop.isAlive(), "the first notifier stopped within 30 s");
            assertEquals(1, slack.accepted().size(), "nothing more was posted to Slack after the stop");
            assertEquals(1, committed(group, alertsTopic),
                    "the alert Slack and PagerDuty accepted before the stop was committed by it");

            slack.hold(Duration.ZERO);
            try (Notifier next = new Notifier(config, plan, Clock.systemUTC(), null)) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (committed(group, alertsTopic) != alerts.size()) {
                    assertTrue(System.nanoTime() < deadline, "the next instance did not commit every alert in 60 s");
                    next.runOnce(Duration.ofMillis(100));
                }
            }
            assertEquals(List.of(), slack.violations());
            assertEquals(alerts.stream().map(a -> SlackMessage.payload(a).toString()).toList(),
                    slack.accepted().stream().map(LoopbackReceiver.Request::text).toList(),
                    "each alert posted to Slack once, in order");
            assertEquals(alerts.stream().map(a -> PagerDutyEvent.trigger(a, NotifierBrokerTest.ROUTING_KEY).toString())
                    .collect(Collectors.toSet()), pd.accepted().stream().map(LoopbackReceiver.Request::text)
                    .collect(Collectors.toSet()), "each alert paged");
            assertEquals(alerts.size(), pd.accepted().size(), "none paged twice");
        }
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what + ": not within 60 s");
            Thread.sleep(20);
        }
    }

    private static long committed(String group, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()))) {
            OffsetAndMetadata o = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get()
                    .get(new TopicPartition(topic, 0));
            return o == null ? -1 : o.offset();
        }
    }
}
