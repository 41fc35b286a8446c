package io.auditwatch.ingest.file;

import io.auditwatch.kafka.Topics;
import io.auditwatch.event.AuditLogFiles;
import io.auditwatch.ingest.AuditProducer;
import io.auditwatch.ingest.IngestMetrics;
import io.auditwatch.kafka.KafkaUnreachableException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows kube-apiserver's {@code --audit-log-path} files as they grow, across rotation by rename (the renamed
 * file is read to its end before the new one), copytruncate and truncation (read again from the start), and
 * reads {@code .gz} archives once. Only whole lines are produced; the offset advances, durably, only after Kafka
 * acknowledged a batch, so a restart resumes without loss and repeats at most the batch that was in flight.
 */
public final class LogFollower implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LogFollower.class);
    /** Lines are produced in batches of at most this many bytes (an event is at most a few MB). */
    static final int BATCH_BYTES = 16 * 1024 * 1024;

    private final List<Path> paths;
    private final AuditProducer producer;
    private final IngestMetrics metrics;
    private final String cluster;
    private final Checkpoint checkpoint;
    private final Map<Path, Open> open = new HashMap<>();
    private volatile boolean stopped;

    /** A followed file's open channel: held across a rename, so the rotated file can be read to its end. */
    private record Open(FileChannel channel, String fileKey) {
    }

    public LogFollower(List<Path> paths, Path checkpointFile, AuditProducer producer, IngestMetrics metrics,
                       String cluster) throws IOException {
        this.paths = List.copyOf(paths);
        this.producer = producer;
        this.metrics = metrics;
        this.cluster = cluster;
        this.checkpoint = Checkpoint.load(checkpointFile);
    }

    /** Polls every file until {@link #stop}; while Kafka is unreachable the same batch is retried. */
    public void run(Duration interval) throws IOException, InterruptedException {
        while (!stopped) {
            try {
                pollOnce();
            } catch (KafkaUnreachableException e) {
                LOG.warn("{}; retrying the batch", e.getMessage());
            }
            Thread.sleep(interval.toMillis());
        }
    }

    public void stop() {
        stopped = true;
    }

    /** Reads everything that is new in every file; returns the number of records Kafka acknowledged. */
    public int pollOnce() throws IOException {
        int produced = 0;
        for (Path path : paths) {
            produced += path.toString().endsWith(".gz") ? archive(path) : follow(path);
        }
        return produced;
    }

    private int archive(Path path) throws IOException {
        String key;
        try {
            key = path + "@" + fileKey(path);
        } catch (NoSuchFileException e) {
            return 0;
        }
        if (checkpoint.archiveDone(key)) {
            return 0;
        }
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        AuditLogFiles.forEachPayload(path, payload -> records.add(AuditProducer.record(Topics.AUDIT_EVENTS, payload,
                cluster)));
        send(records);
        checkpoint.archiveRead(key);
        return records.size();
    }

    private int follow(Path path) throws IOException {
        int produced = 0;
        Open current = open.get(path);
        String currentKey;
        try {
            currentKey = fileKey(path);
        } catch (NoSuchFileException e) {
            currentKey = null; // between rename and re-create: finish what is open
        }
        if (current == null) {
            current = resume(path, currentKey);
            if (current == null) {
                return 0;
            }
        }
        if (!current.fileKey().equals(currentKey)) {
            // Renamed away: read the old file to its end, then move to the new one from its start.
            produced += drain(path, current);
            current.channel().close();
            open.remove(path);
            if (currentKey == null) {
                return produced;
            }
            current = openAt(path, currentKey, 0);
        }
        return produced + drain(path, current);
    }

    /** The file's channel positioned where the checkpoint left it, also when it was renamed meanwhile. */
    private Open resume(Path path, String currentKey) throws IOException {
        Checkpoint.Position at = checkpoint.position(path);
        if (at != null && !at.fileKey().equals(currentKey)) {
            Path rotated = findByKey(path, at.fileKey());
            if (rotated != null) {
                LOG.info("finishing {} (rotated from {}) from offset {}", rotated, path, at.offset());
                FileChannel channel = FileChannel.open(rotated, StandardOpenOption.READ);
                channel.position(at.offset());
                Open old = new Open(channel, at.fileKey());
                open.put(path, old);
                return old;
            }
            at = null; // rotated away and gone: start the current file from the beginning
        }
        if (currentKey == null) {
            return null;
        }
        return openAt(path, currentKey, at == null ? 0 : at.offset());
    }

    private Open openAt(Path path, String key, long offset) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        channel.position(offset);
        Open o = new Open(channel, key);
        open.put(path, o);
        return o;
    }

    /** Produces the whole lines from the channel's position on, batch by batch. */
    private int drain(Path path, Open file) throws IOException {
        FileChannel channel = file.channel();
        if (channel.size() < channel.position()) {
            LOG.info("{} was truncated (copytruncate?): reading it again from the start", path);
            channel.position(0);
        }
        int produced = 0;
        while (channel.position() < channel.size()) {
            long start = channel.position();
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(BATCH_BYTES, channel.size() - start));
            while (buffer.hasRemaining() && channel.read(buffer) > 0) {
                // fill
            }
            byte[] bytes = buffer.array();
            int end = buffer.position();
            int lastNewline = lastIndexOf(bytes, end, (byte) '\n');
            if (lastNewline < 0) {
                if (end < BATCH_BYTES) {
                    channel.position(start); // a line still being written: wait for its end
                    return produced;
                }
                lastNewline = end - 1; // a line longer than a batch: produce it as it is; the detector rejects it
            }
            List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
            int from = 0;
            for (int i = 0; i <= lastNewline; i++) {
                if (bytes[i] == '\n' || i == lastNewline) {
                    int to = bytes[i] == '\n' ? i : i + 1;
                    if (!isBlank(bytes, from, to)) {
                        byte[] line = new byte[to - from];
                        System.arraycopy(bytes, from, line, 0, line.length);
                        records.add(AuditProducer.record(Topics.AUDIT_EVENTS, line, cluster));
                    }
                    from = i + 1;
                }
            }
            try {
                send(records);
            } catch (KafkaUnreachableException e) {
                channel.position(start); // nothing acknowledged is lost; this batch is tried again
                throw e;
            }
            long next = start + lastNewline + 1;
            channel.position(next);
            checkpoint.advance(path, file.fileKey(), next);
            produced += records.size();
        }
        return produced;
    }

    private void send(List<ProducerRecord<byte[], byte[]>> records) throws KafkaUnreachableException {
        if (records.isEmpty()) {
            return;
        }
        metrics.received(IngestMetrics.FILE, records.size());
        long started = System.nanoTime();
        try {
            producer.sendAll(records);
        } catch (KafkaUnreachableException e) {
            metrics.rejected(IngestMetrics.FILE, "kafka-unavailable", records.size());
            throw e;
        }
        metrics.produced(IngestMetrics.FILE, records.size());
        metrics.batch(IngestMetrics.FILE, records.size(), Duration.ofNanos(System.nanoTime() - started));
    }

    /** Device and inode on Unix: survives a rename, changes when the path names a new file. */
    static String fileKey(Path path) throws IOException {
        Object key = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
        if (key == null) {
            throw new IOException("this file system gives no file identity for " + path
                    + "; following across rotation needs one");
        }
        return key.toString();
    }

    private static Path findByKey(Path path, String key) throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        try (Stream<Path> siblings = Files.list(dir)) {
            for (Path p : siblings.toList()) {
                try {
                    if (Files.isRegularFile(p) && key.equals(fileKey(p))) {
                        return p;
                    }
                } catch (IOException e) {
                    // vanished meanwhile
                }
            }
        }
        return null;
    }

    private static int lastIndexOf(byte[] bytes, int end, byte b) {
        for (int i = end - 1; i >= 0; i--) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isBlank(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!Character.isWhitespace(bytes[i])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        for (Open o : open.values()) {
            o.channel().close();
        }
        open.clear();
    }
}
