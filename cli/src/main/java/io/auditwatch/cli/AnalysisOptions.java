package io.auditwatch.cli;

import io.auditwatch.analyses.Analyses;
import io.auditwatch.event.AuditEventReader;
import io.auditwatch.language.RuleSet;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Settings of the analyses themselves, shared by live detection and replay so both judge alike. */
final class AnalysisOptions {
    @Option(names = "--cluster", paramLabel = "NAME", defaultValue = "default",
            description = "Cluster name for events that do not carry one.")
    String cluster;

    @Option(names = "--max-event-bytes", paramLabel = "BYTES", defaultValue = "" + AuditEventReader.DEFAULT_MAX_EVENT_BYTES,
            description = "Larger events are rejected as oversized.")
    int maxEventBytes;

    @Option(names = "--request-memory", paramLabel = "DURATION", defaultValue = "PT24H",
            description = "How long a request that alerted is remembered from when it was seen (event time), so that"
                    + " no re-sent copy of it alerts again, ISO-8601.")
    Duration requestMemory;

    @Option(names = "--node-grace", paramLabel = "DURATION", defaultValue = "PT90S",
            description = "How long (event time) an allowed node-credential access waits for a late pod create"
                    + " or binding before it is judged, ISO-8601.")
    Duration nodeGrace;

    AuditEventReader reader() {
        validate();
        return new AuditEventReader(maxEventBytes, cluster);
    }

    Analyses analyses() {
        validate();
        return Analyses.standard(requestMemory, nodeGrace);
    }

    /** The analyses with {@code rules} instead of the built-in rule pack, and their tuning of the node rules. */
    Analyses analyses(RuleSet rules) {
        validate();
        return Analyses.standard(requestMemory, nodeGrace, rules.engine(requestMemory), rules);
    }

    void validate() {
        if (maxEventBytes < 1024) {
            throw new UserError("--max-event-bytes must be at least 1024", null, 2);
        }
        if (requestMemory.isNegative() || requestMemory.isZero() || nodeGrace.isNegative()) {
            throw new UserError("--request-memory must be positive and --node-grace not negative", null, 2);
        }
    }
}
