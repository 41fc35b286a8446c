package io.auditwatch.cli;

import io.auditwatch.alert.Alert;
import io.auditwatch.alert.AlertFormat;
import io.auditwatch.alert.ConsoleFormat;
import io.auditwatch.alert.Level;
import io.auditwatch.kafka.Topics;
import io.auditwatch.analyses.AnalysisConfig;
import io.auditwatch.event.Rejection;
import io.auditwatch.investigate.Activity;
import io.auditwatch.investigate.AlertFilter;
import io.auditwatch.investigate.AlertPublisher;
import io.auditwatch.investigate.AlertTally;
import io.auditwatch.investigate.HtmlReport;
import io.auditwatch.investigate.ProgressDisplay;
import io.auditwatch.investigate.TopicInput;
import io.auditwatch.notify.ConsoleNotifier;
import io.auditwatch.replay.Replay;
import io.auditwatch.replay.ReplayInput;
import io.auditwatch.replay.ReplayInputs;
import io.auditwatch.replay.ReplaySummary;
import io.auditwatch.language.RuleSet;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/** {@code auditwatch replay}: the engine over audit logs (or a range of the events topic), no detector needed. */
@Command(name = "replay", mixinStandardHelpOptions = true, showDefaultValues = true, exitCodeOnInvalidInput = 1,
        description = {"Run the detections over audit logs with no broker, or over a time range of a topic.",
            "INPUT is a file (JSON lines, an EventList, an EKS/AKS/GKE export; gzip is recognised whatever the name),"
                    + " a directory (read recursively, its files in the order of their first event), a glob in"
                    + " quotes ('logs/*.gz'), or - for standard input.",
            "Event time drives everything, so the alerts equal what live detection raised. The filters (--since,"
                    + " --identity, ...) choose which alerts are reported; every event read still builds the"
                    + " state the detections need.",
            "Each alert prints as one line: event time, level, rule, who, what, where, auditID. The end summary"
                    + " counts them by level, rule and identity; on a terminal a progress bar shows the pace.",
            "A damaged input (a truncated .gz) is reported with its line; what came before it is kept and the"
                    + " replay goes on with the next input.",
            "Exit status: 0 when every input was read whole and every record was an audit event; 1 for a usage"
                    + " or I/O error; 2 when an input was damaged, a record was rejected, or no event could be read."},
        exitCodeListHeading = "Exit status:%n",
        exitCodeList = {"0:all input read and used", "1:usage or I/O error",
            "2:input damaged or records rejected, or no audit event at all"})
final class ReplayCommand implements Callable<Integer> {
    /** Rejections printed one by one before only the count is kept. */
    private static final int REJECTIONS_SHOWN = 20;
    /** Files of directories and globs left out, named one by one before only the count is kept. */
    private static final int SKIPPED_SHOWN = 20;
    static final int DAMAGED_INPUT = 2;
    /** Nodes shown in a report: enough for an incident, few enough for a page. */
    private static final int MAX_REPORT_NODES = 50;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "INPUT", arity = "0..*",
            description = "Audit logs: files, directories, quoted globs, - for standard input.")
    List<String> inputs = new ArrayList<>();

    @Option(names = "--from-topic", paramLabel = "TOPIC",
            description = "Replay this topic of audit events (audit.events) instead of files: the records written"
                    + " from --since to --until (Kafka timestamps), or all of it.")
    String fromTopic;

    /** Kafka, for --from-topic and --to-topic only. */
    @Mixin
    KafkaOptions kafka;

    @Mixin
    AnalysisOptions analysis;

    @Option(names = "--since", paramLabel = "TIME", converter = TimeConverter.class,
            description = "Report alerts whose requests reach this event time or later (2024-05-01T10:00:00Z, or a"
                    + " date: midnight UTC). With --from-topic: replay the records written from then on.")
    Instant since;

    @Option(names = "--until", paramLabel = "TIME", converter = TimeConverter.class,
            description = "Report alerts whose requests start before this event time. With --from-topic: replay"
                    + " the records written before then.")
    Instant until;

    @Option(names = {"--identity", "--user"}, paramLabel = "GLOB", split = ",",
            description = "Report alerts of these users (glob: 'system:serviceaccount:kube-system:*'; also matches"
                    + " whom they impersonated).")
    List<String> identities = new ArrayList<>();

    @Option(names = "--namespace", paramLabel = "GLOB", split = ",", description = "Report alerts on these namespaces.")
    List<String> namespaces = new ArrayList<>();

    @Option(names = "--node", paramLabel = "GLOB", split = ",",
            description = "Report alerts of identities on these nodes (kubelets, pod tokens bound to the node).")
    List<String> nodes = new ArrayList<>();

    @Option(names = "--rule", paramLabel = "GLOB", split = ",", description = "Report alerts of these rule ids.")
    List<String> ruleIds = new ArrayList<>();

    @Option(names = "--min-level", paramLabel = "LEVEL",
            description = "Report alerts of this level or higher: ${COMPLETION-CANDIDATES}.")
    Level minLevel;

    @Option(names = "--top", paramLabel = "N", defaultValue = "10",
            description = "Rules and identities listed in the end summary.")
    int top;

    @Option(names = "--alerts-out", paramLabel = "FILE", description = "Also write the reported alerts, one per line.")
    Path alertsOut;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "json",
            description = "Lines of --alerts-out: json (ours), ocsf (OCSF 1.x Detection Finding) or ecs (Elastic"
                    + " Common Schema).")
    AlertFormat format;

    @Option(names = "--report", paramLabel = "FILE",
            description = "Also write an HTML report (self-contained, opens offline): alerts by identity on a timeline"
                    + " with their evidence, what each identity did in the hour around them, the node graph's view"
                    + " of the nodes involved, counts by rule, level and namespace. Reads the log a second time.")
    Path report;

    @Option(names = "--to-topic", arity = "0..1", paramLabel = "TOPIC", fallbackValue = Topics.ALERTS,
            description = "Also publish the reported alerts to this topic (default auditwatch.alerts) at"
                    + " --bootstrap-servers, each with the header auditwatch-replayed: true. Alerts keep the ids live"
                    + " detection gives them, so the notifier never delivers one it already delivered.")
    String toTopic;

    @Option(names = "--rules", paramLabel = "DIR|FILE", description = "Run exactly these rule files instead of the built-in pack.")
    List<Path> rules;

    @Option(names = "--inventory", paramLabel = "FILE",
            description = "Pods, PVs and VolumeAttachments that existed before the log starts"
                    + " (kubectl get pods,pv,volumeattachments -A -o json), for the node graph.")
    Path inventory;

    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        List<ReplayInput> sources = sources(err);
        if (inventory != null) {
            ReplayCommand.requireFile(inventory, "--inventory");
        }
        AnalysisConfig settings = analysis.toConfig();
        // Rules given: they replace the pack, and their tuning of the node rules applies.
        RuleSet given = rules == null ? null : RulesCommand.load(rules, err);
        Replay replay = new Replay(settings.reader(), given == null ? settings.analyses()
                : settings.analyses(given.engine(settings.requestMemory()), given));
        if (inventory != null) {
            try {
                replay.loadInventory(inventory);
            } catch (IOException e) {
                throw new UserError("--inventory " + inventory + ": not a pod list: " + e.getMessage(), e);
            }
        }
        // From a topic, --since/--until chose the records already (by when they were written).
        AlertFilter filter = new AlertFilter(fromTopic == null ? since : null, fromTopic == null ? until : null,
                identities, namespaces, nodes, ruleIds, minLevel);
        ConsoleNotifier console = new ConsoleNotifier(spec.commandLine().getOut());
        AlertTally tally = new AlertTally();
        Problems problems = new Problems(err);
        long size = sources.stream().mapToLong(ReplayInput::size).reduce(0, (a, b) -> a < 0 || b < 0 ? -1 : a + b);
        List<Alert> reported = new ArrayList<>();
        String bootstrapServers = toTopic == null ? null : kafka.connect();
        if (toTopic != null) {
        }
        ReplaySummary summary;
        try (AlertPublisher publisher = toTopic == null ? null : new AlertPublisher(bootstrapServers, toTopic);
             BufferedWriter out = alertsOut == null ? null : Files.newBufferedWriter(alertsOut);
             ProgressDisplay progress = ProgressDisplay.start(size, replay::bytesRead, replay::eventsRead)) {
            summary = replay.run(sources, alert -> {
                if (filter.test(alert)) {
                    console.accept(alert);
                    tally.accept(alert);
                    write(out, alert);
                    if (report != null) {
                        reported.add(alert);
                    }
                    if (publisher != null) {
                        publisher.accept(alert);
                    }
                }
            }, problems);
            if (publisher != null) {
                published(publisher, err);
            }
        } catch (UncheckedIOException e) {
            throw new UserError("cannot write " + alertsOut + ": " + e.getCause().getMessage(), e);
        }
        problems.end();
        err.println(summary.line());
        if (!filter.describe().isEmpty()) {
            // The filters are named: one can come from the environment (NAMESPACE=...) unnoticed.
            err.println("reported " + tally.total() + " of " + ReplaySummary.count(summary.alerts(), "alert")
                    + " (filters: " + filter.describe() + ")");
        }
        tally.lines(top).forEach(err::println);
        err.println(summary.coverageLine());
        if (report != null) {
            writeReport(sources, filter, reported, tally, summary, err);
        }
        err.flush();
        return exitStatus(summary, err);
    }

    private void published(AlertPublisher publisher, PrintWriter err) {
        try {
            err.println("published " + ReplaySummary.count(publisher.flush(), "alert") + " to " + toTopic
                    + ", marked replayed");
        } catch (IOException e) {
            throw new UserError(e.getMessage(), e);
        }
    }

    private void writeReport(List<ReplayInput> sources, AlertFilter filter, List<Alert> alerts, AlertTally tally,
                             ReplaySummary summary, PrintWriter err) throws IOException {
        // The nodes involved: those of alerted identities, then those whose credentials reached unrelated objects.
        Set<String> nodes = new TreeSet<>();
        alerts.stream().map(Alert::identity).filter(i -> i != null && i.node() != null).forEach(i -> nodes.add(i.node()));
        summary.nodeCoverage().forEach((key, count) -> {
            if (key.endsWith("|unrelated") && nodes.size() < MAX_REPORT_NODES) {
                nodes.add(key.substring(0, key.lastIndexOf('|')));
            }
        });
        List<ReplayInput> again = sources.stream().filter(s -> !s.name().equals("-")).toList();
        Activity activity = Activity.collect(again, analysis.toConfig().reader(), alerts, nodes);
        String title = "Replayed " + sources.stream().map(ReplayInput::name).collect(Collectors.joining(", "))
                + (again.size() < sources.size() ? " (standard input is not read twice: activity covers the files only)" : "")
                + (filter.describe().isEmpty() ? "" : "; reported: " + filter.describe());
        try {
            Files.writeString(report, HtmlReport.render(title, alerts, tally, summary, activity, List.copyOf(nodes),
                    summary.nodeCoverage()));
        } catch (IOException e) {
            throw new UserError("cannot write --report " + report + ": " + e.getMessage(), e);
        }
        err.println("report: " + report);
    }

    /** The inputs named on the command line, or the topic range; usage and missing files exit 1. */
    private List<ReplayInput> sources(PrintWriter err) throws IOException {
        if (fromTopic != null) {
            if (!inputs.isEmpty()) {
                throw new UserError("give either --from-topic or INPUT files, not both");
            }
            String bootstrapServers = kafka.connect();
            return List.of(new TopicInput(bootstrapServers, fromTopic, since, until));
        }
        if (inputs.isEmpty()) {
            throw new UserError("nothing to replay: give audit log files, directories or - for standard input,"
                    + " or --from-topic audit.events");
        }
        ReplayInputs.Resolved resolved;
        try {
            resolved = ReplayInputs.resolve(inputs, System.in, analysis.toConfig().reader());
        } catch (NoSuchFileException e) {
            throw new UserError("audit log: no such file: " + e.getFile()
                    + (e.getReason() == null ? "" : " (" + e.getReason() + ")"), e);
        }
        resolved.skipped().stream().limit(SKIPPED_SHOWN).forEach(skipped -> err.println("skipped "
                + ConsoleFormat.escape(skipped)));
        if (resolved.skipped().size() > SKIPPED_SHOWN) {
            err.println("... " + (resolved.skipped().size() - SKIPPED_SHOWN) + " more files skipped");
        }
        for (ReplayInput input : resolved.inputs()) {
            if (!input.name().equals("-") && !Files.isReadable(Path.of(input.name()))) {
                throw new UserError("audit log: cannot read " + input.name());
            }
        }
        if (resolved.inputs().isEmpty()) {
            throw new UserError("no audit logs in " + String.join(" ", inputs), null, DAMAGED_INPUT);
        }
        return resolved.inputs();
    }

    private static int exitStatus(ReplaySummary summary, PrintWriter err) {
        if (summary.clean()) {
            return 0;
        }
        String why;
        if (summary.events() == 0) {
            why = "no audit event could be read" + (summary.rejected() > 0
                    ? " (" + ReplaySummary.count(summary.rejected(), "record") + " rejected)" : " (the input is empty)");
        } else if (!summary.damagedInputs().isEmpty()) {
            why = ReplaySummary.count(summary.damagedInputs().size(), "input") + " damaged: "
                    + ConsoleFormat.escape(String.join(", ", summary.damagedInputs()));
        } else {
            why = ReplaySummary.count(summary.rejected(), "record") + " rejected";
        }
        err.println(ErrorHandler.PREFIX + why + " (exit status " + DAMAGED_INPUT + ")");
        err.flush();
        return DAMAGED_INPUT;
    }

    /** Prints rejections (the first few) and damaged inputs as they come. */
    private static final class Problems implements Replay.Listener {
        private final PrintWriter err;
        private final AtomicLong rejected = new AtomicLong();

        Problems(PrintWriter err) {
            this.err = err;
        }

        @Override
        public void rejected(String input, long position, Rejection rejection) {
            if (rejected.incrementAndGet() <= REJECTIONS_SHOWN) {
                err.println("rejected " + ConsoleFormat.escape(input) + ":" + position + ": "
                        + rejection.reason().code() + ": " + ConsoleFormat.escape(rejection.message()));
            }
        }

        @Override
        public void damaged(String input, long line, IOException cause) {
            err.println("damaged " + ConsoleFormat.escape(input) + (line > 0 ? ":" + line + ": " : ": ")
                    + ConsoleFormat.escape(cause instanceof NoSuchFileException ? "no such file" : cause.getMessage())
                    + (line > 0 ? "; everything before this line was replayed, the rest of this input is lost" : ""));
        }

        void end() {
            if (rejected.get() > REJECTIONS_SHOWN) {
                err.println("... " + (rejected.get() - REJECTIONS_SHOWN) + " more rejected");
            }
        }
    }

    private void write(BufferedWriter out, Alert alert) {
        if (out == null) {
            return;
        }
        try {
            out.write(format.render(alert));
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

    /** An instant in RFC 3339 ({@code 2024-05-01T10:00:00Z}, an offset allowed) or a date, midnight UTC. */
    static final class TimeConverter implements ITypeConverter<Instant> {
        @Override
        public Instant convert(String value) {
            try {
                return OffsetDateTime.parse(value).toInstant();
            } catch (DateTimeParseException e) {
                try {
                    return LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
                } catch (DateTimeParseException again) {
                    throw new TypeConversionException("'" + value + "' is not a time: give 2024-05-01T10:00:00Z"
                            + " or 2024-05-01");
                }
            }
        }
    }
}
