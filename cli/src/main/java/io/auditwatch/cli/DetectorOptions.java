package io.auditwatch.cli;

import io.auditwatch.detector.DetectorConfig;
import io.auditwatch.event.AuditEventReader;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The detector's settings as flags (and, through the default provider, environment variables). */
final class DetectorOptions {
    @Option(names = "--application-id", paramLabel = "ID", defaultValue = DetectorConfig.DEFAULT_APPLICATION_ID,
            description = "Kafka Streams application.id: instances with the same id share the work.")
    String applicationId;

    @Option(names = "--cluster", paramLabel = "NAME", defaultValue = DetectorConfig.DEFAULT_CLUSTER,
            description = "Cluster name for events that do not carry one.")
    String cluster;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "3",
            description = "Partitions of the topics this app creates (existing topics are left alone).")
    int partitions;

    @Option(names = "--stream-threads", paramLabel = "N", defaultValue = "1",
            description = "Kafka Streams threads in this instance.")
    int streamThreads;

    @Option(names = "--state-dir", paramLabel = "DIR", defaultValue = "./data/streams",
            description = "Where RocksDB state lives (rebuilt from changelogs if lost).")
    Path stateDir;

    @Option(names = "--processing-guarantee", paramLabel = "G", defaultValue = "exactly_once_v2",
            description = "exactly_once_v2 or at_least_once.")
    String processingGuarantee;

    @Option(names = "--max-event-bytes", paramLabel = "BYTES", defaultValue = "" + AuditEventReader.DEFAULT_MAX_EVENT_BYTES,
            description = "Larger events go to audit.dlq as oversized.")
    int maxEventBytes;

    @Option(names = "--request-memory", paramLabel = "DURATION", defaultValue = "PT1H",
            description = "How long (event time) a request is remembered for dedup, ISO-8601.")
    Duration requestMemory;

    DetectorConfig toConfig(String bootstrapServers) {
        boolean exactlyOnce = switch (processingGuarantee) {
            case "exactly_once_v2" -> true;
            case "at_least_once" -> false;
            default -> throw new UserError("--processing-guarantee must be exactly_once_v2 or at_least_once, got '"
                    + processingGuarantee + "'", null, 2);
        };
        if (partitions < 1 || streamThreads < 1 || maxEventBytes < 1024) {
            throw new UserError("--partitions and --stream-threads must be at least 1, --max-event-bytes at least 1024",
                    null, 2);
        }
        return new DetectorConfig(bootstrapServers, applicationId, cluster, partitions, streamThreads, stateDir,
                exactlyOnce, maxEventBytes, requestMemory);
    }
}
