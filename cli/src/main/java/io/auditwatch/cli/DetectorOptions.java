package io.auditwatch.cli;

import io.auditwatch.detector.DetectorConfig;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The detector's settings as flags (and, through the default provider, environment variables). Each starts at
 * its value in {@link DetectorConfig#defaults}, which the help shows.
 */
final class DetectorOptions {
    private static final String EXACTLY_ONCE = "exactly_once_v2";
    private static final String AT_LEAST_ONCE = "at_least_once";
    private static final DetectorConfig DEFAULTS = DetectorConfig.defaults(null, DetectorConfig.DEFAULT_STATE_DIR);

    @Mixin
    AnalysisOptions analysis;

    @Option(names = "--application-id", paramLabel = "ID",
            description = "Kafka Streams application.id: instances with the same id share the work.")
    String applicationId = DEFAULTS.applicationId();

    @Option(names = "--partitions", paramLabel = "N",
            description = "Partitions of the topics this app creates (existing topics are left alone).")
    int partitions = DEFAULTS.partitions();

    @Option(names = "--stream-threads", paramLabel = "N",
            description = "Kafka Streams threads in this instance; 0: one per core, at most one per partition.")
    int streamThreads = 0;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Where RocksDB state lives (rebuilt from changelogs if lost).")
    Path stateDir = DEFAULTS.stateDir();

    @Option(names = "--processing-guarantee", paramLabel = "G",
            description = EXACTLY_ONCE + " or " + AT_LEAST_ONCE + ".")
    String processingGuarantee = DEFAULTS.exactlyOnce() ? EXACTLY_ONCE : AT_LEAST_ONCE;

    DetectorConfig toConfig(String bootstrapServers) {
        boolean exactlyOnce = switch (processingGuarantee) {
            case EXACTLY_ONCE -> true;
            case AT_LEAST_ONCE -> false;
            default -> throw new UserError("--processing-guarantee must be " + EXACTLY_ONCE + " or " + AT_LEAST_ONCE
                    + ", got '" + processingGuarantee + "'", null, 2);
        };
        if (partitions < 1 || streamThreads < 0) {
            throw new UserError("--partitions must be at least 1 and --stream-threads at least 0", null, 2);
        }
        int threads = streamThreads == 0 ? DetectorConfig.streamThreadsFor(partitions) : streamThreads;
        return new DetectorConfig(bootstrapServers, applicationId, partitions, threads, stateDir, exactlyOnce,
                analysis.toConfig());
    }
}
