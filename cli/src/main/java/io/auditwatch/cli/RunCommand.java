package io.auditwatch.cli;

import io.auditwatch.detector.DetectorApp;
import io.auditwatch.detector.IncompatibleFormatException;
import io.auditwatch.kafka.KafkaAdmin;
import io.auditwatch.kafka.Topics;
import io.auditwatch.metrics.PrometheusEndpoint;
import io.auditwatch.notify.AlertSubscriber;
import io.auditwatch.notify.ConsoleNotifier;
import io.auditwatch.notify.Notifier;
import io.auditwatch.notify.NotifierConfig;
import io.auditwatch.notify.delivery.Destination;
import io.auditwatch.notify.routing.Plan;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code auditwatch run <component>}: one component against an existing Kafka cluster. */
@Command(name = "run", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Run one component against an existing Kafka cluster.",
        subcommands = {RunCommand.Detector.class, IngestCommand.class, RunCommand.Notify.class})
final class RunCommand {

    @Command(name = "detector", mixinStandardHelpOptions = true, showDefaultValues = true,
            description = {"The Kafka Streams detector: audit.events -> auditwatch.alerts (bad input -> audit.dlq).",
                "Exits with status 3 when the other instances of its application id run a version of auditwatch"
                        + " with another wire format (docs/architecture.md#upgrades)."})
    static final class Detector implements java.util.concurrent.Callable<Integer> {
        @Mixin
        KafkaOptions kafka;

        @Mixin
        DetectorOptions options;

        @Option(names = "--metrics-port", paramLabel = "PORT",
                description = "Serve /metrics (Prometheus: Kafka Streams and JVM), /healthz (Kafka Streams has not"
                        + " failed) and /readyz (every task running) over HTTP on this port.")
        Integer metricsPort;

        @Override
        public Integer call() throws InterruptedException, java.io.IOException {
            String bootstrapServers = kafka.connect();
            DetectorApp app;
            try {
                app = DetectorApp.start(options.toConfig(bootstrapServers));
            } catch (IncompatibleFormatException e) {
                throw new UserError(e.getMessage(), e, INCOMPATIBLE_FORMAT);
            }
            PrometheusEndpoint metrics = new PrometheusEndpoint();
            if (metricsPort != null) {
                app.bindMetrics(metrics.registry());
                int port = metrics.serve(new java.net.InetSocketAddress(metricsPort), app::alive, app::ready);
                System.err.println("metrics on http://0.0.0.0:" + port + PrometheusEndpoint.PATH);
            }
            System.err.println("detector running against " + bootstrapServers + " (Ctrl-C stops it)");
            Thread stop = new Thread(() -> {
                metrics.close();
                app.close();
            });
            Runtime.getRuntime().addShutdownHook(stop);
            // Returns only when the detector stops on its own (another auditwatch's format); Ctrl-C or SIGTERM
            // ends the process through the hook.
            String failure = app.awaitFailure();
            try {
                Runtime.getRuntime().removeShutdownHook(stop);
            } catch (IllegalStateException shuttingDown) {
                return 0; // stopped at the same moment: the hook closes everything
            }
            stop.run();
            throw new UserError(failure, null, INCOMPATIBLE_FORMAT);
        }
    }

    /** Exit status of a detector that cannot work beside the version of auditwatch its group runs. */
    static final int INCOMPATIBLE_FORMAT = 3;

    @Command(name = "notify", mixinStandardHelpOptions = true, showDefaultValues = true,
            description = {"Deliver the alerts on auditwatch.alerts to Slack, PagerDuty and signed webhooks.",
                "Delivery is routed, grouped and rate-limited, at least once and without paging twice"
                        + " (undeliverable alerts go to auditwatch.alerts.dlq). With no destination configured,"
                        + " each alert prints as one readable line."})
    static final class Notify implements java.util.concurrent.Callable<Integer> {
        @Mixin
        KafkaOptions kafka;

        @Option(names = "--group-id", paramLabel = "ID",
                description = "Consumer group: the notifier resumes where it stopped. Default: "
                        + NotifierConfig.DEFAULT_GROUP_ID + ", or " + CONSOLE_GROUP_ID + " when printing to the console.")
        String groupId;

        @Option(names = "--deliveries-topic", paramLabel = "TOPIC",
                defaultValue = Topics.DELIVERIES,
                description = "Compacted topic where deliveries are remembered (created if missing), so that no"
                        + " instance of the group posts an alert twice, after a restart or a rebalance.")
        String deliveriesTopic;

        @Option(names = "--partitions", paramLabel = "N", defaultValue = "" + Topics.DEFAULT_PARTITIONS,
                description = "Partitions of the pipeline's topics when this command has to create them.")
        int partitions;

        @Mixin
        NotifyOptions notify;

        @Option(names = "--metrics-port", paramLabel = "PORT",
                description = "Serve /metrics (deliveries, DLQ, consumer lag, JVM), /healthz (the delivery loop"
                        + " turns) and /readyz (Kafka answers) over HTTP on this port.")
        Integer metricsPort;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws InterruptedException {
            Plan plan = notify.plan(EnvDefaultProvider.of(spec));
            String bootstrapServers = kafka.connect();
            if (plan.isEmpty()) {
                return console(bootstrapServers);
            }
            KafkaAdmin.ensureTopics(bootstrapServers, partitions, Duration.ofSeconds(30));
            NotifierConfig config = NotifierConfig.defaults(bootstrapServers)
                    .withGroupId(groupId == null ? NotifierConfig.DEFAULT_GROUP_ID : groupId)
                    .withDelivery(notify.groupWindow, notify.retryPolicy()).withDeliveriesTopic(deliveriesTopic);
            Notifier notifier;
            try {
                notifier = new Notifier(config, plan, Clock.systemUTC(), new ConsoleNotifier(spec.commandLine().getOut()));
            } catch (IllegalStateException | java.io.UncheckedIOException e) {
                throw new UserError(e.getMessage(), e);
            }
            System.err.println("notify: delivering to " + plan.destinations().stream().map(Destination::name)
                    .collect(java.util.stream.Collectors.joining(", ")) + " (Ctrl-C stops it)");
            try (PrometheusEndpoint metrics = new PrometheusEndpoint();
                 KafkaAdmin probeAdmin = KafkaAdmin.open(bootstrapServers, PROBE_TIMEOUT)) {
                if (metricsPort != null) {
                    notifier.bindMetrics(metrics.registry());
                    metrics.serve(new java.net.InetSocketAddress(metricsPort),
                            () -> notifier.turnedWithin(LOOP_STALL), probeAdmin.probe(Duration.ofSeconds(5)));
                }
                runUntilShutdown(notifier::run, notifier::stop, notifier);
            } catch (java.io.IOException e) {
                throw new UserError("cannot serve metrics on port " + metricsPort + ": " + e.getMessage(), e);
            }
            return 0;
        }

        private int console(String bootstrapServers) throws InterruptedException {
            AlertSubscriber subscriber = new AlertSubscriber(bootstrapServers,
                    groupId == null ? CONSOLE_GROUP_ID : groupId, false);
            ConsoleNotifier console = new ConsoleNotifier(spec.commandLine().getOut());
            runUntilShutdown(() -> subscriber.run(console), subscriber::stop, subscriber);
            return 0;
        }
    }

    static final String CONSOLE_GROUP_ID = "auditwatch-console";
    /** A delivery loop that has not turned for this long is stuck: a poll lasts at most a fraction of it. */
    private static final Duration LOOP_STALL = Duration.ofSeconds(60);
    /** How long a readiness probe waits for Kafka to describe the cluster. */
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);

    /** Runs {@code loop} on this thread until Ctrl-C, which calls {@code stop} and waits for {@code resource} to close. */
    private static void runUntilShutdown(Runnable loop, Runnable stop, AutoCloseable resource) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.run();
            try {
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        try {
            loop.run();
        } finally {
            try {
                resource.close();
            } catch (Exception e) {
                System.err.println("auditwatch: error while stopping: " + e.getMessage());
            }
            done.countDown();
        }
    }

    static void awaitShutdown(AutoCloseable component) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                component.close();
            } catch (Exception e) {
                System.err.println("auditwatch: error while stopping: " + e.getMessage());
            } finally {
                stopped.countDown();
            }
        }));
        stopped.await();
    }
}
