package io.auditwatch.ingest.webhook;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The webhook server's executor, with a deadline on reading each request. The JDK server reads a request's
 * line, headers (and TLS handshake) on the executor's thread, in blocking mode, and has no per-server read
 * timeout: a client that sends its headers and stalls would hold a thread for good. Each task is armed with
 * {@code readTimeout}; when it expires while the request is still being read, the thread is interrupted, which
 * closes the connection's channel (an interruptible channel) and frees the thread. The handler calls
 * {@link #bodyRead()} once it holds the whole body, so waiting for Kafka is never cut short.
 */
final class ReadDeadlines implements java.util.concurrent.Executor, AutoCloseable {
    private final ExecutorService workers;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "webhook-read-deadline");
        t.setDaemon(true);
        return t;
    });
    private final Duration readTimeout;
    private final ThreadLocal<Deadline> current = new ThreadLocal<>();

    ReadDeadlines(int threads, Duration readTimeout) {
        this.workers = Executors.newFixedThreadPool(threads);
        this.readTimeout = readTimeout;
    }

    @Override
    public void execute(Runnable exchange) {
        workers.execute(() -> {
            Deadline deadline = new Deadline(Thread.currentThread());
            deadline.timeout = timer.schedule(deadline::expire, readTimeout.toMillis(), TimeUnit.MILLISECONDS);
            current.set(deadline);
            try {
                exchange.run();
            } finally {
                deadline.disarm();
                current.remove();
            }
        });
    }

    /** Called on a handler's thread once the request is read: the rest of the exchange has no deadline. */
    void bodyRead() {
        Deadline deadline = current.get();
        if (deadline != null) {
            deadline.disarm();
        }
    }

    @Override
    public void close() {
        workers.shutdownNow();
        timer.shutdownNow();
    }

    private static final class Deadline {
        private enum State { ARMED, EXPIRED, DONE }

        private final Thread thread;
        private volatile ScheduledFuture<?> timeout;
        private State state = State.ARMED;

        Deadline(Thread thread) {
            this.thread = thread;
        }

        synchronized void expire() {
            if (state == State.ARMED) {
                state = State.EXPIRED;
                thread.interrupt();
            }
        }

        /** On the exchange's own thread: after this, no interrupt from this deadline is pending or can come. */
        synchronized void disarm() {
            if (state == State.ARMED) {
                timeout.cancel(false);
            } else if (state == State.EXPIRED) {
                Thread.interrupted(); // an expiry that raced the end of the read: clear it for the next task
            }
            state = State.DONE;
        }
    }
}
