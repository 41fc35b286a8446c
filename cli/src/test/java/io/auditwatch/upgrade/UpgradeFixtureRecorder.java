package io.auditwatch.upgrade;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.auditwatch.broker.EmbeddedKafka;
import io.auditwatch.ingest.AuditProducer;
import io.auditwatch.kafka.KafkaAdmin;
import io.auditwatch.kafka.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Records what a released detector leaves in Kafka, for {@code UpgradeTest} to continue from with the current
 * one (replay-data/upgrade/README.md). Starts an embedded broker and the pipeline's topics, runs the given
 * launcher's {@code run detector} as a process of its own, feeds it {@code phase-1.jsonl}, waits until it has
 * processed and committed everything, stops it with SIGTERM as Kubernetes stops a pod, then dumps every topic and
 * the application's committed offsets ({@link TopicDump}). The repartition topics are read from their start while
 * the detector runs, since Kafka Streams deletes their records once consumed. The detector's state directory is
 * kept too ({@link #STATE}), as a pod's volume keeps it.
 *
 * <p>Args: launcher (e.g. {@code /tmp/prev/auditwatch}), output directory, phase-1 events file.
 */
public final class UpgradeFixtureRecorder {
    /** The recorded application id; a restore renames it. */
    static final String APPLICATION_ID = "auditwatch-detector";
    static final int PARTITIONS = 2;
    static final String RECORDING = "recording.json";
    /** The detector's state directory (under its application id) when it stopped. */
    static final String STATE = "state.zip";

    private UpgradeFixtureRecorder() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: UpgradeFixtureRecorder LAUNCHER OUTPUT_DIR PHASE_1_EVENTS");
            System.exit(2);
        }
        Path launcher = Path.of(args[0]).toAbsolutePath();
        Path out = Path.of(args[1]);
        Path events = Path.of(args[2]);
        Path work = Files.createTempDirectory("upgrade-recording");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(0, null)) {
            String bootstrap = kafka.bootstrapServers();
            KafkaAdmin.ensureTopics(bootstrap, PARTITIONS, Duration.ofSeconds(30));
            Path log = work.resolve("detector.log");
            Process detector = new ProcessBuilder(launcher.toString(), "run", "detector",
                    "--bootstrap-servers", bootstrap, "--application-id", APPLICATION_ID,
                    "--partitions", Integer.toString(PARTITIONS), "--stream-threads", "1",
                    "--state-dir", work.resolve("state").toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            List<TopicDump.Entry> repartitioned = new ArrayList<>();
            try {
                List<TopicPartition> repartitions = awaitRepartitionTopics(bootstrap, detector, log);
                AtomicBoolean stop = new AtomicBoolean();
                Thread capture = new Thread(() -> capture(bootstrap, repartitions, stop, repartitioned), "capture");
                capture.start();
                try (AuditProducer producer = new AuditProducer(bootstrap)) {
                    producer.sendFile(events);
                }
                KafkaAdmin.awaitProcessed(bootstrap, APPLICATION_ID,
                        Set.of(Topics.AUDIT_EVENTS, Topics.GRAPH_FORWARDS, Topics.INVENTORY), Duration.ofMinutes(3));
                detector.destroy(); // SIGTERM: the launcher execs java, whose shutdown hook closes Kafka Streams
                if (!detector.waitFor(90, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the detector did not stop within 90 s of SIGTERM; log: " + log);
                }
                System.out.println("detector stopped with exit status " + detector.exitValue());
                stop.set(true);
                capture.join();
            } finally {
                detector.destroyForcibly();
            }
            List<TopicDump.Entry> records = new ArrayList<>();
            try (Admin admin = TopicDump.admin(bootstrap)) {
                List<TopicPartition> others = new ArrayList<>();
                for (var d : admin.describeTopics(admin.listTopics().names().get()).allTopicNames().get().values()) {
                    if (!d.name().startsWith("__") && !isRepartition(d.name())) {
                        d.partitions().forEach(p -> others.add(new TopicPartition(d.name(), p.partition())));
                    }
                }
                records.addAll(TopicDump.read(bootstrap, others));
            }
            records.addAll(repartitioned);
            records.sort(java.util.Comparator.comparing(TopicDump.Entry::topic)
                    .thenComparingInt(TopicDump.Entry::partition).thenComparingLong(TopicDump.Entry::offset));
            TopicDump.write(out, bootstrap, APPLICATION_ID, records);
            zipState(work.resolve("state").resolve(APPLICATION_ID), out.resolve(STATE));
            Map<String, Object> recording = new LinkedHashMap<>();
            recording.put("applicationId", APPLICATION_ID);
            recording.put("partitions", PARTITIONS);
            recording.put("launcherCommit", git(launcher.getParent()));
            recording.put("events", events.getFileName().toString());
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValue(out.resolve(RECORDING).toFile(), recording);
            System.out.println("recorded " + records.size() + " records into " + out + " (detector log: " + log + ")");
        }
    }

    /**
     * The detector's state directory as it left it (RocksDB files, with the changelog offsets they reflect), but
     * RocksDB's logs and locks: what a pod's volume holds when the pod is replaced.
     */
    private static void zipState(Path stateDir, Path zip) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(stateDir)) {
            files = walk.filter(Files::isRegularFile).filter(f -> {
                String name = f.getFileName().toString();
                return !name.equals("LOG") && !name.startsWith("LOG.old") && !name.equals("LOCK") && !name.equals(".lock");
            }).sorted().toList();
        }
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
            for (Path f : files) {
                ZipEntry entry = new ZipEntry(stateDir.relativize(f).toString().replace('\\', '/'));
                entry.setTime(0); // the same files zip to the same bytes
                out.putNextEntry(entry);
                Files.copy(f, out);
                out.closeEntry();
            }
        }
    }

    private static boolean isRepartition(String topic) {
        return topic.startsWith(APPLICATION_ID + "-") && topic.endsWith("-repartition");
    }

    /** Kafka Streams creates its repartition topics before it processes anything: read them from their start. */
    private static List<TopicPartition> awaitRepartitionTopics(String bootstrap, Process detector, Path log)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        try (Admin admin = TopicDump.admin(bootstrap)) {
            while (true) {
                if (!detector.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("the detector did not create its repartition topics:\n"
                            + Files.readString(log, StandardCharsets.UTF_8));
                }
                List<String> topics = admin.listTopics().names().get().stream()
                        .filter(UpgradeFixtureRecorder::isRepartition).toList();
                if (topics.size() == 2) {
                    List<TopicPartition> partitions = new ArrayList<>();
                    admin.describeTopics(topics).allTopicNames().get().values().forEach(d -> d.partitions()
                            .forEach(p -> partitions.add(new TopicPartition(d.name(), p.partition()))));
                    return partitions;
                }
                Thread.sleep(200);
            }
        }
    }

    private static void capture(String bootstrap, List<TopicPartition> partitions, AtomicBoolean stop,
                                List<TopicDump.Entry> into) {
        try (KafkaConsumer<byte[], byte[]> consumer = TopicDump.consumer(bootstrap)) {
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (true) {
                boolean stopping = stop.get();
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    into.add(TopicDump.entry(r));
                }
                if (stopping && consumer.endOffsets(partitions).entrySet().stream()
                        .allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                    return;
                }
            }
        }
    }

    private static String git(Path dir) throws Exception {
        Process p = new ProcessBuilder("git", "-C", dir.toString(), "rev-parse", "HEAD").redirectErrorStream(true).start();
        String commit = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        return p.waitFor() == 0 ? commit : "unknown";
    }
}
