package io.auditwatch.cli;

import io.auditwatch.alert.Alert;
import io.auditwatch.alert.AlertCodec;
import io.auditwatch.alert.ConsoleFormat;
import io.auditwatch.notify.ConsoleNotifier;
import io.auditwatch.replay.Replay;
import io.auditwatch.replay.ReplaySummary;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
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

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "Audit log files, replayed in the order given.")
    List<Path> files;

    @Mixin
    AnalysisOptions analysis;

    @Option(names = "--alerts-out", paramLabel = "FILE", description = "Also write the alerts as JSON lines.")
    Path alertsOut;

    @Option(names = "--rules", paramLabel = "DIR|FILE", description = "Run exactly these rule files instead of the built-in pack.")
    List<Path> rules;

    @Option(names = "--inventory", paramLabel = "FILE",
            description = "Pods, PVs and VolumeAttachments that existed before the log starts"
                    + " (kubectl get pods,pv,volumeattachments -A -o json), for the node graph.")
    Path inventory;




    @Override
    public Integer call() throws IOException {
        for (Path file : files) {
            requireFile(file, "audit log");
        }
        if (inventory != null) {
            requireFile(inventory, "--inventory");
        }
        Replay replay = new Replay(analysis.reader(), rules == null ? analysis.analyses()
                : analysis.analyses(RulesCommand.load(rules, spec.commandLine().getErr())));
        if (inventory != null) {
            try {
                replay.loadInventory(inventory);
            } catch (IOException e) {
                throw new UserError("--inventory " + inventory + ": not a pod list: " + e.getMessage(), e);
            }
        }
        PrintWriter err = spec.commandLine().getErr();
        ConsoleNotifier console = new ConsoleNotifier(spec.commandLine().getOut());
        AtomicLong shown = new AtomicLong();
        ReplaySummary summary;
        try (BufferedWriter out = alertsOut == null ? null : Files.newBufferedWriter(alertsOut)) {
            summary = replay.run(files, alert -> {
                console.accept(alert);
                write(out, alert);
            }, (file, rejection) -> {
                if (shown.incrementAndGet() <= REJECTIONS_SHOWN) {
                    err.println("rejected in " + file + ": " + rejection.reason().code() + ": "
                            + ConsoleFormat.escape(rejection.message()));
                }
            });
        } catch (UncheckedIOException e) {
            throw new UserError("cannot write " + alertsOut + ": " + e.getCause().getMessage(), e);
        }
        if (shown.get() > REJECTIONS_SHOWN) {
            err.println("... " + (shown.get() - REJECTIONS_SHOWN) + " more rejected");
        }
        err.println(summary.line());
        err.println(summary.coverageLine());
        err.flush();
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
