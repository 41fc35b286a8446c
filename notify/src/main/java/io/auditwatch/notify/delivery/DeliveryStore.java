package io.auditwatch.notify.delivery;

import io.auditwatch.engine.RequestKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Remembers which message reached which destination, so that alerts redelivered by Kafka after a crash (the
 * offset was not committed yet) are not posted to Slack twice. An append-only file, forced to disk after each
 * line: a line is either whole or, torn by a crash, ignored. Entries older than {@code retention} are dropped
 * when the store opens. Keys are digests, so nothing from an alert is written here. One notifier per store:
 * a second one is refused by a file lock.
 */
public final class DeliveryStore implements AutoCloseable {
    static final String FILE = "deliveries.log";

    static final String LOCK_FILE = "deliveries.lock";

    private final FileChannel lockChannel;
    private final FileLock lock;
    private final FileChannel channel;
    private final Set<String> delivered = new HashSet<>();
    private final Clock clock;

    private DeliveryStore(FileChannel lockChannel, FileLock lock, FileChannel channel, Clock clock) {
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.channel = channel;
        this.clock = clock;
    }

    public static DeliveryStore open(Path dir, Duration retention, Clock clock) {
        try {
            Files.createDirectories(dir);
            FileChannel lockChannel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = lockChannel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                lockChannel.close();
                throw new IllegalStateException("delivery store " + dir + " is in use by another notifier");
            }
            Path file = dir.resolve(FILE);
            long oldest = clock.millis() - retention.toMillis();
            List<String> kept = new ArrayList<>();
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    String[] parts = line.split(" ", 2);
                    if (parts.length == 2 && parts[1].length() == 32 && parseMillis(parts[0]) >= oldest) {
                        kept.add(line);
                    }
                }
            }
            compact(dir, file, kept);
            FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            DeliveryStore store = new DeliveryStore(lockChannel, lock, channel, clock);
            kept.forEach(line -> store.delivered.add(line.substring(line.indexOf(' ') + 1)));
            return store;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open delivery store " + dir, e);
        }
    }

    /** Rewrites the file without expired or torn lines: a temp file moved into place, never half-written. */
    private static void compact(Path dir, Path file, List<String> kept) throws IOException {
        Path tmp = dir.resolve(FILE + ".tmp");
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (String line : kept) {
                out.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
            }
            out.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static long parseMillis(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return Long.MIN_VALUE;
        }
    }

    private static String key(String destination, String messageId) {
        return RequestKey.digest(destination + "\u0000" + messageId, 32);
    }

    public synchronized boolean contains(String destination, String messageId) {
        return delivered.contains(key(destination, messageId));
    }

    /** Records a delivery durably (on disk when this returns). */
    public synchronized void record(String destination, String messageId) {
        String key = key(destination, messageId);
        if (!delivered.add(key)) {
            return;
        }
        try {
            channel.write(ByteBuffer.wrap((clock.millis() + " " + key + "\n").getBytes(StandardCharsets.UTF_8)));
            channel.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the delivery store", e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            channel.close();
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
