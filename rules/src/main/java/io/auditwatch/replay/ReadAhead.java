package io.auditwatch.replay;

import io.auditwatch.formats.AuditLogFiles;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.LongConsumer;

/**
 * Reads and parses inputs on a thread of its own, a bounded number of batches ahead of the caller, who
 * analyses them: replay uses both cores of a small machine. Batches come in input and line order. An input that
 * breaks off (a truncated .gz) or cannot be opened yields a {@link Damaged} item after everything read from it,
 * and reading goes on with the next input. Closing stops the reading thread and waits for it.
 */
final class ReadAhead<T> implements AutoCloseable {
    /** What the reading side handed over: a parsed payload, or the end of a damaged input. */
    sealed interface Item<T> permits Parsed, Damaged {
    }

    /** What the reading side made of one payload, with the input and position it came from. */
    record Parsed<T>(String input, long position, T result) implements Item<T> {
    }

    /** An input that could not be read to its end; {@code line} is where it broke off (0: not opened). */
    record Damaged<T>(String input, long line, IOException cause) implements Item<T> {
    }

    /** Parses one payload; {@code fallbackTime} is for events without a timestamp. */
    interface Parser<T> {
        T parse(byte[] payload, long fallbackTime);
    }

    /** Payloads per hand-off: few enough to keep memory small, enough to make the hand-off cost nothing. */
    static final int BATCH = 256;
    private static final int BATCHES_AHEAD = 8;

    private final List<ReplayInput> inputs;
    private final Parser<T> parser;
    private final LongConsumer bytesRead;
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

    ReadAhead(List<? extends ReplayInput> inputs, Parser<T> parser, LongConsumer bytesRead) {
        this.inputs = List.copyOf(inputs);
        this.parser = parser;
        this.bytesRead = bytesRead;
        this.thread = new Thread(this::readAll, "replay-read");
        thread.setDaemon(true);
        thread.start();
    }

    private void readAll() {
        List<Item<T>> batch = new ArrayList<>(BATCH);
        try {
            for (ReplayInput input : inputs) {
                String name = input.name();
                try {
                    input.read((payload, position, fallbackTime) -> {
                        batch.add(new Parsed<>(name, position, parser.parse(payload, fallbackTime)));
                        if (batch.size() == BATCH) {
                            hand(List.copyOf(batch));
                            batch.clear();
                        }
                    }, bytesRead);
                } catch (AuditLogFiles.DamagedLogException e) {
                    batch.add(new Damaged<>(name, e.line(), e));
                } catch (IOException e) {
                    batch.add(new Damaged<>(name, 0, e));
                }
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

    private void handRest(List<Item<T>> batch) {
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

    /** The next batch in order, or null at the end of the last input; rethrows what stopped the reading side. */
    @SuppressWarnings("unchecked")
    List<Item<T>> next() throws IOException {
        if (ended) {
            return null;
        }
        Object item;
        try {
            item = queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading " + inputs);
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
        return (List<Item<T>>) item;
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
