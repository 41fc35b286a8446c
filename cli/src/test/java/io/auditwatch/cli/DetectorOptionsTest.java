package io.auditwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.auditwatch.detector.DetectorConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

class DetectorOptionsTest {
    @Command(name = "probe")
    static final class Probe {
        @Mixin
        DetectorOptions options;
    }

    private static DetectorConfig parse(String... args) {
        Probe probe = new Probe();
        new CommandLine(probe).setDefaultValueProvider(new EnvDefaultProvider(Map.of())).parseArgs(args);
        return probe.options.toConfig("localhost:9092");
    }

    @Test
    void shouldRunAStreamThreadPerCoreUpToOnePerPartitionByDefault() {
        int cores = Runtime.getRuntime().availableProcessors();

        assertEquals(Math.min(cores, 3), parse().streamThreads());
        assertEquals(1, parse("--partitions", "1").streamThreads(), "a thread without a task would idle");
        assertEquals(Math.min(cores, 3), DetectorConfig.defaults("localhost:9092", java.nio.file.Path.of(".")).streamThreads());
    }

    @Test
    void shouldStartFromTheDetectorConfigDefaultsWhenNoFlagIsGiven() {
        assertEquals(DetectorConfig.defaults("localhost:9092", DetectorConfig.DEFAULT_STATE_DIR), parse());
    }

    @Test
    void shouldTakeEachSettingFromItsEnvironmentVariable() {
        Probe probe = new Probe();
        new CommandLine(probe).setDefaultValueProvider(new EnvDefaultProvider(Map.of(
                "AUDITWATCH_NODE_GRACE", "PT2M", "AUDITWATCH_PARTITIONS", "6", "AUDITWATCH_CLUSTER", "prod-eu")))
                .parseArgs("--partitions", "4");
        DetectorConfig config = probe.options.toConfig("localhost:9092");

        assertEquals(Duration.ofMinutes(2), config.analysis().nodeGrace());
        assertEquals("prod-eu", config.analysis().cluster());
        assertEquals(4, config.partitions(), "a flag wins over its variable");
    }

    @Test
    void shouldRefuseANodeGraceBelowZero() {
        UserError error = assertThrows(UserError.class, () -> parse("--node-grace", "-PT1S"));
        assertEquals("--request-memory must be positive and --node-grace not negative", error.getMessage());
        assertEquals(2, error.exitCode());
    }

    @Test
    void shouldRunAsManyStreamThreadsAsAsked() {
        assertEquals(5, parse("--stream-threads", "5").streamThreads());
    }

    @Test
    void shouldRefuseANegativeThreadCount() {
        UserError error = assertThrows(UserError.class, () -> parse("--stream-threads", "-1"));
        assertEquals("--partitions must be at least 1 and --stream-threads at least 0", error.getMessage());
    }
}
