package io.auditwatch.ingest;

import io.auditwatch.kafka.KafkaUnreachableException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.auditwatch.broker.EmbeddedKafka;
import io.auditwatch.broker.SharedKafka;
import io.auditwatch.kafka.DlqHeaders;
import io.auditwatch.kafka.KafkaAdmin;
import io.auditwatch.kafka.Topics;
import io.auditwatch.event.Provenance;
import io.auditwatch.ingest.file.LogFollower;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Following audit log files into the real embedded broker: rotation, truncation, restarts, archives. */
class LogFollowerTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path dir;

    /** Emptied before each test: every test reads back all of audit.events. */
    @RegisterExtension
    static final SharedKafka SHARED = SharedKafka.emptiedBeforeEachTest();

    /** The shared broker's, or that of {@link #ownBroker} where a test stops its broker. */
    private String bootstrap;
    private EmbeddedKafka ownBroker;
    private AuditProducer producer;
    private final List<String> written = new ArrayList<>();

    @BeforeEach
    void start() {
        bootstrap = SHARED.bootstrapServers();
        KafkaAdmin.ensureTopics(bootstrap, 1, Duration.ofSeconds(30));
        producer = new AuditProducer(bootstrap, Duration.ofSeconds(10));
    }

    @AfterEach
    void stop() {
        producer.close();
        if (ownBroker != null) {
            ownBroker.close();
        }
    }

    private LogFollower follower(Path... files) throws IOException {
        return new LogFollower(List.of(files), dir.resolve("state/checkpoint.json"), producer,
                new IngestMetrics(new SimpleMeterRegistry()), "on-prem-1");
    }

    /** Appends {@code n} events (as kube-apiserver does, one JSON line each) and remembers their auditIDs. */
    private void append(Path file, int n) throws IOException {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < n; i++) {
            String id = "event-" + written.size();
            written.add(id);
            lines.append("{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"auditID\":\"").append(id)
                    .append("\",\"stage\":\"ResponseComplete\",\"verb\":\"get\",\"user\":{\"username\":\"alice\"},")
                    .append("\"requestReceivedTimestamp\":\"2024-05-01T10:00:00Z\"}\n");
        }
        Files.writeString(file, lines, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private List<String> landedIds() throws IOException {
        List<String> ids = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : Topic.readAll(bootstrap, Topics.AUDIT_EVENTS)) {
            ids.add(MAPPER.readTree(r.value()).get("auditID").asText());
            assertEquals("on-prem-1", DlqHeaders.get(r.headers(), Provenance.CLUSTER_HEADER));
        }
        return ids;
    }

    @Test
    void shouldFollowARenameRotationWithoutLoss() throws IOException {
        Path log = dir.resolve("audit.log");
        append(log, 3);
        try (LogFollower follower = follower(log)) {
            assertEquals(3, follower.pollOnce());
            append(log, 2);
            Path rotated = dir.resolve("audit-2024-05-01T10-00-00.000.log");
            Files.move(log, rotated);
            append(rotated, 1); // the API server writes on until it reopens its log
            append(log, 4);
            assertEquals(7, follower.pollOnce());
            assertEquals(0, follower.pollOnce());
        }
        assertEquals(written, landedIds());
    }

    @Test
    void shouldReadACopyTruncatedFileAgainFromTheStart() throws IOException {
        Path log = dir.resolve("audit.log");
        append(log, 5);
        try (LogFollower follower = follower(log)) {
            assertEquals(5, follower.pollOnce());
            Files.copy(log, dir.resolve("audit.log.1")); // logrotate copytruncate: copy, then truncate in place
            try (FileChannel channel = FileChannel.open(log, StandardOpenOption.WRITE)) {
                channel.truncate(0);
            }
            append(log, 2);
            assertEquals(2, follower.pollOnce());
        }
        assertEquals(written, landedIds());
    }

    @Test
    void shouldProduceOnlyWholeLines() throws IOException {
        Path log = dir.resolve("audit.log");
        append(log, 1);
        String half = "{\"kind\":\"Event\",\"auditID\":\"late\",\"verb\":\"get\",";
        Files.writeString(log, half, StandardOpenOption.APPEND);
        try (LogFollower follower = follower(log)) {
            assertEquals(1, follower.pollOnce());
            Files.writeString(log, "\"user\":{\"username\":\"bob\"}}\n", StandardOpenOption.APPEND);
            written.add("late");
            assertEquals(1, follower.pollOnce());
        }
        assertEquals(written, landedIds());
    }

    @Test
    void shouldResumeAfterARestartWithoutLossOrRepeats() throws IOException {
        Path log = dir.resolve("audit.log");
        append(log, 4);
        try (LogFollower follower = follower(log)) {
            assertEquals(4, follower.pollOnce());
        }
        append(log, 1);
        Files.move(log, dir.resolve("audit.log.1")); // rotated while ingest was down
        append(log, 2);
        try (LogFollower restarted = follower(log)) {
            assertEquals(3, restarted.pollOnce(), "the rotated file's rest, then the new file");
        }
        assertEquals(written, landedIds());
    }

    @Test
    void shouldKeepItsPlaceWhileKafkaIsDownAndProduceTheBatchOnceItIsBack() throws IOException {
        // A broker of its own: this test stops it and starts it again on the same port and data.
        producer.close();
        Path data = dir.resolve("kafka");
        ownBroker = EmbeddedKafka.start(0, data);
        int port = ownBroker.port();
        bootstrap = ownBroker.bootstrapServers();
        KafkaAdmin.ensureTopics(bootstrap, 1, Duration.ofSeconds(30));
        producer = new AuditProducer(bootstrap, Duration.ofSeconds(2));
        Path log = dir.resolve("audit.log");
        append(log, 2);
        try (LogFollower follower = follower(log)) {
            assertEquals(2, follower.pollOnce());
            String acknowledged = Files.readString(dir.resolve("state/checkpoint.json"));
            append(log, 3);
            ownBroker.close();

            assertThrows(KafkaUnreachableException.class, follower::pollOnce);
            assertEquals(acknowledged, Files.readString(dir.resolve("state/checkpoint.json")),
                    "the offset moves only with Kafka's acknowledgement");

            ownBroker = EmbeddedKafka.start(port, data);
            int produced = 0;
            for (int attempt = 0; attempt < 10 && produced == 0; attempt++) { // as run() retries
                try {
                    produced = follower.pollOnce();
                } catch (KafkaUnreachableException e) {
                    // not back yet
                }
            }
            assertEquals(3, produced);
        }
        List<String> landed = landedIds();
        assertTrue(landed.containsAll(written), "nothing lost: " + landed);
        assertEquals(written, landed.stream().distinct().toList(), "in order; a retried batch may repeat");
    }

    @Test
    void shouldReadAGzipArchiveOnceAcrossRestarts() throws IOException {
        Path plain = dir.resolve("scratch.log");
        append(plain, 3);
        Path archive = dir.resolve("audit-1.log.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(archive))) {
            out.write(Files.readAllBytes(plain));
        }
        try (LogFollower follower = follower(archive)) {
            assertEquals(3, follower.pollOnce());
            assertEquals(0, follower.pollOnce());
        }
        try (LogFollower restarted = follower(archive)) {
            assertEquals(0, restarted.pollOnce());
        }
        assertEquals(written, landedIds());
    }
}
