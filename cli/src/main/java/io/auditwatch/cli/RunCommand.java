package io.auditwatch.cli;

import io.auditwatch.detector.DetectorApp;
import io.auditwatch.metrics.PrometheusEndpoint;
import io.auditwatch.notify.AlertSubscriber;
import io.auditwatch.notify.ConsoleNotifier;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code auditwatch run <component>}: one component against an existing Kafka cluster. */
@Command(name = "run", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Run one component against an existing Kafka cluster.",
        subcommands = {RunCommand.Detector.class, IngestCommand.class, RunCommand.Notify.class})
final class RunCommand {

    @Command(name = "detector", mixinStandardHelpOptions = true, showDefaultValues = true,
            description = "The Kafka Streams detector: audit.events -> auditwatch.alerts (bad input -> audit.dlq).")
    static final class Detector implements java.util.concurrent.Callable<Integer> {
        @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", required = true,
                description = "Kafka to connect to.")
        String bootstrapServers;

        @Mixin
        DetectorOptions options;

        @Option(names = "--metrics-port", paramLabel = "PORT",
                description = "Serve /metrics (Prometheus: Kafka Streams and JVM) over HTTP on this port.")
        Integer metricsPort;

        @Override
        public Integer call() throws InterruptedException, java.io.IOException {
            KafkaCheck.requireReachable(bootstrapServers, Duration.ofSeconds(15));
            DetectorApp app = DetectorApp.start(options.toConfig(bootstrapServers));
            PrometheusEndpoint metrics = new PrometheusEndpoint();
            if (metricsPort != null) {
                app.bindMetrics(metrics.registry());
                int port = metrics.serve(new java.net.InetSocketAddress(metricsPort));
                System.err.println("metrics on http://0.0.0.0:" + port + PrometheusEndpoint.PATH);
            }
            System.err.println("detector running against " + bootstrapServers + " (Ctrl-C stops it)");
            awaitShutdown(() -> {
                metrics.close();
                app.close();
            });
            return 0;
        }
    }

    @Command(name = "notify", mixinStandardHelpOptions = true, showDefaultValues = true,
            description = "Print every alert on auditwatch.alerts as one readable line (console notifier).")
    static final class Notify implements java.util.concurrent.Callable<Integer> {
        @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", required = true,
                description = "Kafka to connect to.")
        String bootstrapServers;

        @Spec
        CommandSpec spec;

        @Option(names = "--group-id", paramLabel = "ID", defaultValue = "auditwatch-console",
                description = "Consumer group: the console resumes where it stopped.")
        String groupId;

        @Override
        public Integer call() throws InterruptedException {
            KafkaCheck.requireReachable(bootstrapServers, Duration.ofSeconds(15));
            AlertSubscriber subscriber = new AlertSubscriber(bootstrapServers, groupId, false);
            CountDownLatch done = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                subscriber.stop();
                try {
                    done.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            try {
                subscriber.run(new ConsoleNotifier(spec.commandLine().getOut()));
            } finally {
                subscriber.close();
                done.countDown();
            }
            return 0;
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
