package io.auditwatch.cli;

import io.auditwatch.alert.Alert;
import io.auditwatch.alert.ConsoleFormat;
import io.auditwatch.alert.AlertCodec;
import io.auditwatch.broker.EmbeddedKafka;
import io.auditwatch.detector.DetectorApp;
import io.auditwatch.detector.DetectorConfig;
import io.auditwatch.kafka.Topics;
import io.auditwatch.ingest.AuditProducer;
import io.auditwatch.notify.AlertSubscriber;
import io.auditwatch.notify.ConsoleNotifier;
import io.auditwatch.notify.Notifier;
import io.auditwatch.notify.NotifierConfig;
import io.auditwatch.notify.delivery.Destination;
import io.auditwatch.notify.routing.Plan;
import io.auditwatch.replay.ReplaySummary;
import io.auditwatch.scenario.ExpectedAlert;
import io.auditwatch.scenario.Scenario;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code auditwatch demo}: a real embedded Kafka, the detector and the console notifier; produces a recorded
 * attack and waits until every alert it must raise has arrived.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Start an embedded Kafka, the detector and the console notifier; play recorded attacks.",
            "The attacks go into audit.events and each alert prints as it arrives. Exits 0 once every expected"
                    + " alert arrived, and names any alert beyond those.",
            "With --slack-webhook-file, --pagerduty-routing-key-file or --routing-file the alerts are also"
                    + " delivered there, as routed."})
final class DemoCommand implements Callable<Integer> {
    static final String SCENARIOS = "replay-data/scenarios/";
    /** The acts of the default demo: a compromised pod, then a compromised node. */
    static final List<String> DEFAULT_ACTS = List.of("compromised-pod", "compromised-node");

    @Spec
    CommandSpec spec;

    @Option(names = "--scenario", paramLabel = "DIR",
            description = "Scenario folder (events.jsonl, expected-alerts.jsonl), played in the order given; repeatable."
                    + " Default: the acts compromised-pod and compromised-node under " + SCENARIOS + " of this installation.")
    List<Path> scenarioDirs;

    @Option(names = "--alerts-out", paramLabel = "FILE", description = "Also write the alerts as JSON lines.")
    Path alertsOut;

    @Option(names = "--keep-running", description = "Keep everything running after the scenario, until Ctrl-C.")
    boolean keepRunning;

    @Mixin
    KafkaOptions kafkaOptions;

    @Option(names = "--via-webhook",
            description = "Take the events through the ingest webhook (loopback, bearer token) in EventList batches,"
                    + " as kube-apiserver's webhook backend sends them, instead of producing them directly.")
    boolean viaWebhook;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "PT90S",
            description = "How long to wait for the expected alerts (and their delivery), ISO-8601.")
    Duration timeout;

    /** Destinations: with --slack-webhook-file, --pagerduty-routing-key-file (...) the alerts are delivered too. */
    @Mixin
    NotifyOptions notify;

    @Override
    public Integer call() throws Exception {
        List<Scenario> acts = resolveScenarios().stream().map(Scenario::load).toList();
        Plan plan = notify.plan(EnvDefaultProvider.of(spec));
        PrintWriter out = spec.commandLine().getOut();
        long started = System.nanoTime();
        EmbeddedKafka kafka = null;
        Path stateDir = Files.createTempDirectory("auditwatch-demo-state-");
        try {
            String bootstrap = kafkaOptions.connectIfGiven();
            if (bootstrap == null) {
                kafka = EmbeddedKafka.start(0, null);
                bootstrap = kafka.bootstrapServers();
                out.println("Kafka (embedded, KRaft) listening on " + bootstrap);
            }
            // A fresh application id: on a shared cluster an earlier run's state must not swallow this run's alerts.
            DetectorConfig config = DetectorConfig.defaults(bootstrap, stateDir)
                    .withApplicationId("auditwatch-demo-" + UUID.randomUUID().toString().substring(0, 8));
            List<Alert> alerts = new ArrayList<>();
            ConsoleNotifier console = new ConsoleNotifier(out);
            try (DetectorApp detector = DetectorApp.start(config);
                 AlertSubscriber subscriber = new AlertSubscriber(bootstrap, config.applicationId() + "-console", true);
                 Delivery delivery = plan.isEmpty() ? null : new Delivery(bootstrap, config.applicationId(), plan, stateDir)) {
                subscriber.awaitAssignment(Duration.ofSeconds(30), alerts::add);
                long deadline = System.nanoTime() + timeout.toNanos();
                int expected = 0;
                for (Scenario act : acts) {
                    int sent;
                    try (AuditProducer producer = new AuditProducer(bootstrap)) {
                        sent = viaWebhook ? DemoWebhook.post(act.events(), producer, stateDir, out)
                                : producer.sendFile(act.events());
                    }
                    out.println("Act '" + act.name() + "': produced " + sent + " audit events to "
                            + AuditProducer.AUDIT_EVENTS_TOPIC + (viaWebhook ? " through the webhook" : "") + "; alerts:");
                    while (!act.missing(alerts).isEmpty() && System.nanoTime() < deadline) {
                        subscriber.pollOnce(Duration.ofMillis(200), alert -> {
                            alerts.add(alert);
                            console.accept(alert);
                        });
                        out.flush();
                    }
                    List<ExpectedAlert> missing = act.missing(alerts);
                    if (!missing.isEmpty()) {
                        throw new UserError("demo: timed out after " + timeout.toSeconds() + " s in act '" + act.name()
                                + "'; still missing: " + missing.stream().map(ExpectedAlert::describe)
                                .collect(Collectors.joining("; ")));
                    }
                    expected += act.expected().size();
                }
                if (delivery != null) {
                    delivery.awaitSettled(alerts.size(), deadline, out);
                }
                writeAlerts(alerts);
                // An alert beyond the scenarios' lists is named, so the count adds up for whoever reads it.
                List<Alert> beyond = alerts.stream()
                        .filter(a -> acts.stream().flatMap(act -> act.expected().stream()).noneMatch(e -> e.matches(a)))
                        .toList();
                out.printf("demo: %s, all %d expected by %s%s, in %.1f s%s%n",
                        ReplaySummary.count(alerts.size(), "alert"), expected,
                        acts.stream().map(a -> "'" + a.name() + "'").collect(Collectors.joining(" and ")),
                        beyond.isEmpty() ? "" : "; also " + beyond.stream()
                                .map(a -> a.rule().id() + " (" + ConsoleFormat.escape(ConsoleFormat.who(a)) + ": "
                                        + ConsoleFormat.escape(a.summary()) + ")")
                                .collect(Collectors.joining(", ")) + ", which no scenario lists",
                        (System.nanoTime() - started) / 1e9, alertsOut == null ? "" : "; written to " + alertsOut);
                if (keepRunning) {
                    out.println("Still running (Ctrl-C stops): produce to " + AuditProducer.AUDIT_EVENTS_TOPIC
                            + " at " + bootstrap + " and alerts print here.");
                    subscriber.run(console);
                }
            }
            return 0;
        } finally {
            if (kafka != null) {
                kafka.close();
            }
            deleteRecursively(stateDir);
        }
    }

    /** The notifier of the demo, on its own thread, from "now" on (a fresh group reading from the latest offset). */
    private final class Delivery implements AutoCloseable {
        private final Notifier notifier;
        private final Plan plan;
        private final Thread thread;
        private volatile RuntimeException failure;

        Delivery(String bootstrap, String applicationId, Plan plan, Path stateDir) {
            this.plan = plan;
            NotifierConfig config = NotifierConfig.defaults(bootstrap).withGroupId(applicationId + "-notify")
                    .withRoutesTopic(null).startingAtLatest().withDelivery(notify.groupWindow, notify.retryPolicy());
            this.notifier = new Notifier(config, plan, Clock.systemUTC(), null);
            try {
                notifier.awaitAssignment(Duration.ofSeconds(30));
            } catch (RuntimeException e) {
                notifier.close();
                throw e;
            }
            this.thread = new Thread(() -> {
                try {
                    notifier.run();
                } catch (RuntimeException e) {
                    failure = e;
                }
            }, "demo-notify");
            thread.setDaemon(true);
            thread.start();
        }

        /** Waits until the notifier settled as many alerts as the console saw (delivered, or in the DLQ). */
        void awaitSettled(int alerts, long deadline, PrintWriter out) throws InterruptedException {
            while (notifier.settled() < alerts && System.nanoTime() < deadline && thread.isAlive()) {
                Thread.sleep(100);
            }
            if (failure != null) {
                throw new UserError("demo: the notifier stopped: " + failure.getMessage(), failure);
            }
            if (notifier.settled() < alerts) {
                throw new UserError("demo: only " + notifier.settled() + " of " + alerts + " alerts were delivered to "
                        + plan.destinations().stream().map(Destination::name).collect(Collectors.joining(", "))
                        + " within " + timeout.toSeconds() + " s (repeats are held for --group-window "
                        + notify.groupWindow + ")");
            }
            out.println("Delivered to " + plan.destinations().stream().map(Destination::name)
                    .collect(Collectors.joining(", ")) + " as routed (undeliverable ones are in " + Topics.ALERTS_DLQ + ")");
        }

        @Override
        public void close() throws InterruptedException {
            notifier.stop();
            thread.join(10_000);
            notifier.close();
        }
    }

    private List<Path> resolveScenarios() {
        List<Path> dirs = scenarioDirs;
        if (dirs == null || dirs.isEmpty()) {
            String home = System.getenv("AUDITWATCH_HOME");
            Path root = home == null ? Path.of(SCENARIOS) : Path.of(home).resolve(SCENARIOS);
            dirs = DEFAULT_ACTS.stream().map(root::resolve).toList();
        }
        for (Path dir : dirs) {
            if (!Files.isRegularFile(dir.resolve(Scenario.EVENTS_FILE))) {
                throw new UserError("no scenario at " + dir + " (expected " + Scenario.EVENTS_FILE + " and "
                        + Scenario.EXPECTED_FILE + "; pass --scenario DIR)");
            }
        }
        return dirs;
    }

    private void writeAlerts(List<Alert> alerts) throws IOException {
        if (alertsOut == null) {
            return;
        }
        List<String> lines = alerts.stream().map(AlertCodec::toJson).toList();
        Files.write(alertsOut, lines);
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
