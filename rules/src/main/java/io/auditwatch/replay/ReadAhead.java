package io.auditwatch.replay;

import io.auditwatch.event.AuditLogFiles;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Reads and parses log files on a thread of its own, a bounded number of batches ahead of the caller, who
 * analyses them: replay uses both cores of a small machine. Batches come in file and line order; a failure
 * of the reading side (a file that cannot be read) comes after everything read before it, as it would have
 * come without the thread. Closing stops the reading thread and waits for it.
 */
final class ReadAhead<T> implements AutoCloseable {
    /** What the reading side made of one payload, with the file it came from. */
    record Parsed<T>(Path file, T result) {
    }

    /** Parses one payload; {@code fileTime} is the file's modification time (for events without a timestamp). */
    interface Parser<T> {
        T parse(byte[] payload, long fileTime);
    }

    /** Payloads per hand-off: few enough to keep memory small, enough to make the hand-off cost nothing. */
    static final int BATCH = 256;
    private static final int BATCHES_AHEAD = 8;

    private final List<Path> files;
    private final Parser<T> parser;
    /** Batches of {@link Parsed}, then {@link #END} or a {@link Throwable}. */
    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(BATCHES_AHEAD);
    private final Thread thread;
    private boolean ended;

    private static final Object END = new Object();

    /** Thrown on the reading thread to unwind it once the reader is closed. */
    private static final class Stopped extends RuntimeException {
        Stopped() {
            super(null, null, false, false);
        }
    }

    ReadAhead(List<Path> files, Parser<T> parser) {
        this.files = List.copyOf(files);
        this.parser = parser;
        this.thread = new Thread(this::readAll, "replay-read");
        thread.setDaemon(true);
        thread.start();
    }

    private void readAll() {
        List<Parsed<T>> batch = new ArrayList<>(BATCH);
        try {
            for (Path file : files) {
                long fileTime = Files.getLastModifiedTime(file).toMillis();
                AuditLogFiles.forEachPayload(file, payload -> {
                    batch.add(new Parsed<>(file, parser.parse(payload, fileTime)));
                    if (batch.size() == BATCH) {
                        hand(List.copyOf(batch));
                        batch.clear();
                    }
                });
            }
            handRest(batch);
            hand(END);
        } catch (Stopped e) {
            // closed: nobody waits for the rest
        } catch (Throwable e) {
            try {
                // What was read before the failure is analysed before the failure is reported, as without this thread.
                handRest(batch);
                hand(e);
            } catch (Stopped stopped) {
                // closed meanwhile
            }
        }
    }

    private void handRest(List<Parsed<T>> batch) {
        if (!batch.isEmpty()) {
            hand(List.copyOf(batch));
        }
    }

    private void hand(Object item) {
        try {
            queue.put(item);
        } catch (InterruptedException e) {
            throw new Stopped();
        }
    }

    /** The next batch in order, or null at the end of the last file; rethrows what stopped the reading side. */
    @SuppressWarnings("unchecked")
    List<Parsed<T>> next() throws IOException {
        if (ended) {
            return null;
        }
        Object item;
        try {
            item = queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading " + files);
        }
        if (item == END) {
            ended = true;
            return null;
        }
        if (item instanceof Throwable failure) {
            ended = true;
            if (failure instanceof IOException io) {
                throw io;
            }
            if (failure instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw (Error) failure;
        }
        return (List<Parsed<T>>) item;
    }

    @Override
    public void close() {
        thread.interrupt();
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
