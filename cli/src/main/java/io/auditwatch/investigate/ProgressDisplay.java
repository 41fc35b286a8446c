package io.auditwatch.investigate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar on stderr for a replay that takes a while: bytes read against the inputs' size (ETA), and
 * events per second. It samples the replay's counters twice a second on a thread of its own, so the replay's
 * loop does no work for it, and appears only after the first second, and only when stderr is a terminal.
 */
public final class ProgressDisplay implements AutoCloseable {
    private static final Duration FIRST_SHOWN = Duration.ofSeconds(1);
    private static final long REFRESH_MILLIS = 500;

    private final ScheduledExecutorService sampler;
    private final long started = System.nanoTime();
    private ProgressBar bar;

    private ProgressDisplay(ScheduledExecutorService sampler) {
        this.sampler = sampler;
    }

    /**
     * @param totalBytes the inputs' size, or -1 when unknown (stdin, a topic): no ETA then
     * @return a display that shows nothing when stderr is not a terminal
     */
    public static ProgressDisplay start(long totalBytes, LongSupplier bytesRead, LongSupplier events) {
        if (!stderrIsTerminal()) {
            return new ProgressDisplay(null);
        }
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "replay-progress");
            t.setDaemon(true);
            return t;
        });
        ProgressDisplay display = new ProgressDisplay(sampler);
        sampler.scheduleAtFixedRate(() -> display.sample(totalBytes, bytesRead, events),
                FIRST_SHOWN.toMillis(), REFRESH_MILLIS, TimeUnit.MILLISECONDS);
        return display;
    }

    private void sample(long totalBytes, LongSupplier bytesRead, LongSupplier events) {
        if (bar == null) {
            bar = new ProgressBarBuilder().setTaskName("replay").setInitialMax(totalBytes)
                    .setUnit(" MiB", 1 << 20).setStyle(ProgressBarStyle.ASCII).showSpeed()
                    .setUpdateIntervalMillis((int) REFRESH_MILLIS)
                    .setConsumer(new ConsoleProgressBarConsumer(System.err)).build();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        bar.stepTo(bytesRead.getAsLong());
        bar.setExtraMessage(String.format(" %,.0f events/s", events.getAsLong() / seconds));
    }

    /** True when fd 2 is a terminal (Linux: /proc tells; elsewhere a console attached to the JVM). */
    static boolean stderrIsTerminal() {
        Path fd2 = Path.of("/proc/self/fd/2");
        if (Files.exists(fd2, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            try {
                String target = Files.readSymbolicLink(fd2).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
            } catch (IOException | UnsupportedOperationException e) {
                return false;
            }
        }
        return System.console() != null;
    }

    /** Stops sampling and clears the bar off the line it was drawn on. */
    @Override
    public void close() {
        if (sampler == null) {
            return;
        }
        sampler.shutdownNow();
        try {
            sampler.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (bar != null) {
            bar.close();
        }
    }
}
