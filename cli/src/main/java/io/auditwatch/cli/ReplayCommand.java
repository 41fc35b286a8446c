package io.auditwatch.cli;

import io.auditwatch.alert.Alert;
import io.auditwatch.alert.AlertCodec;
import io.auditwatch.alert.ConsoleFormat;
import io.auditwatch.dedup.RequestDedup;
import io.auditwatch.rules.RuleSet;
import io.auditwatch.event.AuditEventReader;
import io.auditwatch.notify.ConsoleNotifier;
import io.auditwatch.replay.Replay;
import io.auditwatch.replay.ReplaySummary;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code auditwatch replay}: the engine over audit log files, no broker. */
@Command(name = "replay", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Run the detections over audit log files (JSON lines, EventList, .gz) with no broker.",
            "Event time drives everything, so the alerts equal what live detection raised.",
            "Malformed input is counted and reported on stderr, never fatal; exit 0 also when nothing was found."})
final class ReplayCommand implements Callable<Integer> {
    /** Rejections printed one by one before only the count is kept. */
    private static final int REJECTIONS_SHOWN = 20;

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "Audit log files, replayed in the order given.")
    List<Path> files;

    @Option(names = "--alerts-out", paramLabel = "FILE", description = "Also write the alerts as JSON lines.")
    Path alertsOut;

    @Option(names = "--rules", paramLabel = "DIR|FILE", description = "Run exactly these rule files instead of the built-in pack.")
    List<Path> rules;

    @Option(names = "--inventory", paramLabel = "FILE", description = "Inventory snapshot (takes effect with the node graph; checked to exist now).")
    Path inventory;

    @Option(names = "--cluster", paramLabel = "NAME", defaultValue = "default", description = "Cluster name for events that do not carry one.")
    String cluster;

    @Option(names = "--max-event-bytes", paramLabel = "BYTES", defaultValue = "" + AuditEventReader.DEFAULT_MAX_EVENT_BYTES,
            description = "Larger events are rejected as oversized.")
    int maxEventBytes;

    @Option(names = "--request-memory", paramLabel = "DURATION", defaultValue = "PT1H",
            description = "How long (event time) a request is remembered for dedup, ISO-8601.")
    Duration requestMemory;

    @Override
    public Integer call() throws IOException {
        for (Path file : files) {
            requireFile(file, "audit log");
        }
        if (inventory != null) {
            requireFile(inventory, "--inventory");
        }
        Replay replay = new Replay(new AuditEventReader(maxEventBytes, cluster), new RequestDedup(requestMemory),
                (rules == null ? RuleSet.defaults()
                        : RulesCommand.load(rules, new PrintWriter(System.err, true))).engine(requestMemory));
        ConsoleNotifier console = new ConsoleNotifier(System.out);
        AtomicLong shown = new AtomicLong();
        ReplaySummary summary;
        try (BufferedWriter out = alertsOut == null ? null : Files.newBufferedWriter(alertsOut)) {
            summary = replay.run(files, alert -> {
                console.accept(alert);
                write(out, alert);
            }, (file, rejection) -> {
                if (shown.incrementAndGet() <= REJECTIONS_SHOWN) {
                    System.err.println("rejected in " + file + ": " + rejection.reason().code() + ": "
                            + ConsoleFormat.escape(rejection.message()));
                }
            });
        } catch (UncheckedIOException e) {
            throw new UserError("cannot write " + alertsOut + ": " + e.getCause().getMessage(), e);
        }
        if (shown.get() > REJECTIONS_SHOWN) {
            System.err.println("... " + (shown.get() - REJECTIONS_SHOWN) + " more rejected");
        }
        System.err.println(summary.line());
        return 0;
    }

    private static void write(BufferedWriter out, Alert alert) {
        if (out == null) {
            return;
        }
        try {
            out.write(AlertCodec.toJson(alert));
            out.newLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void requireFile(Path file, String what) {
        if (!Files.isRegularFile(file)) {
            throw new UserError(what + ": no such file: " + file);
        }
        if (!Files.isReadable(file)) {
            throw new UserError(what + ": cannot read " + file);
        }
    }
}
