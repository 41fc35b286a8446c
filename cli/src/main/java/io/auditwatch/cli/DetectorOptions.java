package io.auditwatch.cli;

import io.auditwatch.detector.DetectorConfig;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The detector's settings as flags (and, through the default provider, environment variables). */
final class DetectorOptions {
    @Mixin
    AnalysisOptions analysis;

    @Option(names = "--application-id", paramLabel = "ID", defaultValue = DetectorConfig.DEFAULT_APPLICATION_ID,
            description = "Kafka Streams application.id: instances with the same id share the work.")
    String applicationId;


    @Option(names = "--partitions", paramLabel = "N", defaultValue = "3",
            description = "Partitions of the topics this app creates (existing topics are left alone).")
    int partitions;

    @Option(names = "--stream-threads", paramLabel = "N", defaultValue = "0",
            description = "Kafka Streams threads in this instance; 0: one per core, at most one per partition.")
    int streamThreads;

    @Option(names = "--state-dir", paramLabel = "DIR", defaultValue = "./data/streams",
            description = "Where RocksDB state lives (rebuilt from changelogs if lost).")
    Path stateDir;

    @Option(names = "--processing-guarantee", paramLabel = "G", defaultValue = "exactly_once_v2",
            description = "exactly_once_v2 or at_least_once.")
    String processingGuarantee;



    DetectorConfig toConfig(String bootstrapServers) {
        boolean exactlyOnce = switch (processingGuarantee) {
            case "exactly_once_v2" -> true;
            case "at_least_once" -> false;
            default -> throw new UserError("--processing-guarantee must be exactly_once_v2 or at_least_once, got '"
                    + processingGuarantee + "'", null, 2);
        };
        if (partitions < 1 || streamThreads < 0) {
            throw new UserError("--partitions must be at least 1 and --stream-threads at least 0", null, 2);
        }
        analysis.validate();
        int threads = streamThreads == 0 ? DetectorConfig.streamThreadsFor(partitions) : streamThreads;
        return new DetectorConfig(bootstrapServers, applicationId, analysis.cluster, partitions, threads, stateDir,
                exactlyOnce, analysis.maxEventBytes, analysis.requestMemory, analysis.nodeGrace);
    }
}
