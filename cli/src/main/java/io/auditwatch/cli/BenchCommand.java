package io.auditwatch.cli;

import io.auditwatch.bench.Bench;
import io.auditwatch.bench.BenchConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code auditwatch bench}: the performance figures of docs/benchmarks.md, measured in one run. */
@Command(name = "bench", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Measure throughput, alert latency and footprint on a generated audit-event mix.",
            "The mix is deterministic and realistic. Measured one after the other: parse-only and offline replay,"
                    + " the live detector and a reference Kafka Streams job through Kafka, alert latency at a fixed"
                    + " offered rate, and the node graph's footprint for a cluster of --nodes and --pods.",
            "Prints name=value lines. See docs/benchmarks.md."})
public final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--events", paramLabel = "N", defaultValue = "200000",
            description = "Events in the mix (a simulated cluster of up to 100 nodes and 3,000 pods), measured by each throughput phase.")
    int events;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Seed of the mix: the same seed, the same events.")
    long seed;

    @Option(names = "--nodes", paramLabel = "N", defaultValue = "5000", description = "Nodes of the cluster whose node graph is weighed.")
    int nodes;

    @Option(names = "--pods", paramLabel = "N", defaultValue = "150000", description = "Pods of that cluster.")
    int pods;

    @Option(names = "--rate", paramLabel = "EVENTS_PER_S", defaultValue = "5000",
            description = "Offered rate while alert latency is measured.")
    int rate;

    @Option(names = "--latency-duration", paramLabel = "DURATION", defaultValue = "PT20S",
            description = "How long that rate is offered, ISO-8601.")
    Duration latencyDuration;

    @Option(names = "--patience", paramLabel = "DURATION", defaultValue = "PT15M",
            description = "How long one phase may take before the run fails, ISO-8601.")
    Duration patience;

    @Option(names = "--keep-events", paramLabel = "DIR",
            description = "Also keep the generated audit logs (one per simulated API server) in DIR, e.g. to replay them.")
    Path keepEvents;

    @Mixin
    KafkaOptions kafkaOptions;

    @Override
    public Integer call() throws Exception {
        BenchConfig config;
        try {
            config = new BenchConfig(events, seed, nodes, pods, kafkaOptions.connectIfGiven(), rate, latencyDuration,
                    patience, keepEvents);
        } catch (IllegalArgumentException e) {
            throw new UserError("bench: " + e.getMessage());
        }
        new Bench(config, spec.commandLine().getOut()).run();
        return 0;
    }
}
