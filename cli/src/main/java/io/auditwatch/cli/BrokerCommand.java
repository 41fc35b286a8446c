package io.auditwatch.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import io.auditwatch.broker.EmbeddedKafka;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code auditwatch broker}: a single-node Kafka (KRaft) in the foreground until Ctrl-C. */
@Command(name = "broker", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {
            "Run a single-node Kafka broker (KRaft, in this process) in the foreground until Ctrl-C.",
            "Topics are not auto-created. Records up to 12 MiB are accepted.",
        })
public final class BrokerCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "9092",
            description = "Port of the PLAINTEXT listener on 127.0.0.1 (0 = any free port).")
    int port;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "./data/kafka",
            description = "Where Kafka keeps its data; created and formatted on first use, reused afterwards.")
    Path dataDir;

    @Override
    public Integer call() throws InterruptedException {
        if (port < 0 || port > 65535) {
            throw new ParameterException(spec.commandLine(), "--port must be between 0 and 65535, got " + port);
        }
        EmbeddedKafka kafka = EmbeddedKafka.start(port, dataDir);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                kafka.close();
            } finally {
                stopped.countDown();
            }
        }, "auditwatch-broker-shutdown"));
        PrintWriter out = spec.commandLine().getOut();
        out.println("Kafka broker listening on " + kafka.bootstrapServers() + " (data in " + kafka.dataDir() + ")");
        out.flush();
        stopped.await(); // until Ctrl-C / SIGTERM; the hook closes the broker cleanly
        return 0;
    }
}
