package io.auditwatch.cli;

import io.auditwatch.analyses.AnalysisConfig;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The analyses' settings as flags, shared by live detection and replay so both judge alike. Each starts at its
 * value in {@link AnalysisConfig#DEFAULTS}, which the help shows.
 */
final class AnalysisOptions {
    @Option(names = "--cluster", paramLabel = "NAME", description = "Cluster name for events that do not carry one.")
    String cluster = AnalysisConfig.DEFAULTS.cluster();

    @Option(names = "--max-event-bytes", paramLabel = "BYTES", description = "Larger events are rejected as oversized.")
    int maxEventBytes = AnalysisConfig.DEFAULTS.maxEventBytes();

    @Option(names = "--request-memory", paramLabel = "DURATION",
            description = "How long a request that alerted is remembered from when it was seen (event time), so that"
                    + " no re-sent copy of it alerts again, ISO-8601.")
    Duration requestMemory = AnalysisConfig.DEFAULTS.requestMemory();

    @Option(names = "--node-grace", paramLabel = "DURATION",
            description = "How long (event time) an allowed node-credential access waits for a late pod create"
                    + " or binding before it is judged, ISO-8601.")
    Duration nodeGrace = AnalysisConfig.DEFAULTS.nodeGrace();

    /** @throws UserError (exit 2, a usage error) when a value cannot work */
    AnalysisConfig toConfig() {
        try {
            return new AnalysisConfig(cluster, maxEventBytes, requestMemory, nodeGrace);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage(), null, 2);
        }
    }
}
