package io.auditwatch.broker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EmbeddedKafkaTest {

    private static final String TOPIC = "audit.events";

    @TempDir
    Path tmp;

    @Test
    void producesConsumesAndKeepsRecordsAcrossRestart() throws Exception {
        Path dataDir = tmp.resolve("kafka");
        byte[] big = new byte[5 * 1024 * 1024]; // audit events can be several MB
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) ('a' + i % 26);
        }

        int firstPort;
        try (EmbeddedKafka kafka = EmbeddedKafka.start(0, dataDir)) {
            firstPort = kafka.port();
            assertEquals("127.0.0.1:" + firstPort, kafka.bootstrapServers());
            assertEquals(dataDir.toAbsolutePath(), kafka.dataDir());
            assertTrue(Files.exists(dataDir.resolve("meta.properties")), "data dir is formatted");

            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
                // The broker's metadata cache learns of a new topic shortly after the controller acknowledged it.
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(TOPIC) && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertTrue(admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(TOPIC));
            }
            try (KafkaProducer<String, byte[]> producer = producer(kafka.bootstrapServers())) {
                RecordMetadata small = producer.send(new ProducerRecord<>(TOPIC, "alice",
                        "{\"verb\":\"get\"}".getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
                RecordMetadata large = producer.send(new ProducerRecord<>(TOPIC, "bob", big)).get(30, TimeUnit.SECONDS);
                assertEquals(0, small.offset());
                assertEquals(1, large.offset());
            }
            List<ConsumerRecord<String, byte[]>> records = consumeAll(kafka.bootstrapServers(), 2);
            assertEquals("alice", records.get(0).key());
            assertEquals("{\"verb\":\"get\"}", new String(records.get(0).value(), StandardCharsets.UTF_8));
            assertEquals("bob", records.get(1).key());
            assertArrayEquals(big, records.get(1).value());
        }
        assertPortFree(firstPort);

        // Restart on the same data dir: no re-format, the topic and both records are still there.
        try (EmbeddedKafka kafka = EmbeddedKafka.start(0, dataDir)) {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                assertTrue(admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(TOPIC));
            }
            List<ConsumerRecord<String, byte[]>> records = consumeAll(kafka.bootstrapServers(), 2);
            assertEquals("{\"verb\":\"get\"}", new String(records.get(0).value(), StandardCharsets.UTF_8));
            assertArrayEquals(big, records.get(1).value());
        }
        assertTrue(Files.exists(dataDir.resolve("meta.properties")), "a given data dir is kept on close");
    }

    @Test
    void temporaryDataDirIsDeletedOnCloseAndFixedPortIsHonoured() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = probe.getLocalPort();
        }
        Path dir;
        try (EmbeddedKafka kafka = EmbeddedKafka.start(port, null)) {
            dir = kafka.dataDir();
            assertEquals("127.0.0.1:" + port, kafka.bootstrapServers());
            assertTrue(Files.isDirectory(dir));
            try (KafkaProducer<String, byte[]> producer = producer(kafka.bootstrapServers());
                 Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic("t", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
                assertEquals(0, producer.send(new ProducerRecord<>("t", "k", new byte[] {1})).get(30, TimeUnit.SECONDS).offset());
            }

            // A second broker on the same port is refused with a message a person understands.
            EmbeddedKafka.StartupException e = assertThrows(EmbeddedKafka.StartupException.class,
                    () -> EmbeddedKafka.start(port, tmp.resolve("other")));
            assertTrue(e.getMessage().contains("port " + port) && e.getMessage().contains("already in use"), e.getMessage());

            // ... and so is a second broker on the same data dir.
            EmbeddedKafka.StartupException locked = assertThrows(EmbeddedKafka.StartupException.class,
                    () -> EmbeddedKafka.start(0, dir));
            assertTrue(locked.getMessage().contains("is in use by another broker"), locked.getMessage());
        }
        assertFalse(Files.exists(dir), "temporary data dir deleted on close");
        assertPortFree(port);
    }

    @Test
    void refusesNonEmptyDirectoryThatIsNotKafkaData() throws IOException {
        Path notKafka = Files.createDirectories(tmp.resolve("home"));
        Files.writeString(notKafka.resolve("notes.txt"), "precious");
        EmbeddedKafka.StartupException e = assertThrows(EmbeddedKafka.StartupException.class,
                () -> EmbeddedKafka.start(0, notKafka));
        assertTrue(e.getMessage().contains("not empty"), e.getMessage());
        assertEquals(Set.of(notKafka.resolve("notes.txt")), Set.copyOf(Arrays.asList(
                Files.list(notKafka).toArray(Path[]::new))));
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(EmbeddedKafka.MAX_MESSAGE_BYTES));
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "20000");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /** Reads the topic from the beginning with a fresh consumer group until {@code count} records arrived. */
    private static List<ConsumerRecord<String, byte[]>> consumeAll(String bootstrap, int count) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(TOPIC));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (out.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        assertEquals(count, out.size(), "records read back");
        return out;
    }

    private static void assertPortFree(int port) throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
        }
    }
}
