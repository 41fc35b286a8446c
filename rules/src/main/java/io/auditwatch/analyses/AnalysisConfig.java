package io.auditwatch.analyses;

import io.auditwatch.engine.Analyses;
import io.auditwatch.engine.Analysis;
import io.auditwatch.engine.AnalysisRules;
import io.auditwatch.event.AuditEventReader;
import java.time.Duration;

/**
 * The settings of the analyses, immutable and shared by both hosts (the detector and replay) so that both judge
 * alike; the defaults are declared here and nowhere else. The CLI fills it from flags and environment variables
 * of the same name ({@code --node-grace}, {@code AUDITWATCH_NODE_GRACE}).
 *
 * @param cluster       cluster name for events that carry none
 * @param maxEventBytes larger events are rejected as oversized
 * @param requestMemory how long a request that alerted is remembered, from when it was seen (event time), so that
 *                      no later stage and no re-sent copy of it alerts again
 * @param nodeGrace     how long (event time) an allowed node-credential access waits for a late pod create or
 *                      binding that justifies it before it is judged
 */
public record AnalysisConfig(String cluster, int maxEventBytes, Duration requestMemory, Duration nodeGrace) {
    /**
     * A day of request memory: webhook batches retried after an outage and files re-shipped after a rotation
     * mishap come back within hours. Ninety seconds of node grace: events from several API servers interleave,
     * and a kubelet's read can arrive seconds before the create or binding that justifies it.
     */
    public static final AnalysisConfig DEFAULTS = new AnalysisConfig("default", AuditEventReader.DEFAULT_MAX_EVENT_BYTES,
            Duration.ofHours(24), Duration.ofSeconds(90));

    /** @throws IllegalArgumentException naming the flag whose value cannot work */
    public AnalysisConfig {
        if (maxEventBytes < 1024) {
            throw new IllegalArgumentException("--max-event-bytes must be at least 1024");
        }
        if (requestMemory.isNegative() || requestMemory.isZero() || nodeGrace.isNegative()) {
            throw new IllegalArgumentException("--request-memory must be positive and --node-grace not negative");
        }
    }

    public AuditEventReader reader() {
        return new AuditEventReader(maxEventBytes, cluster);
    }

    /** The standard analyses, with the default rule pack. */
    public Analyses analyses() {
        return Analyses.standard(requestMemory, nodeGrace);
    }

    /** The standard analyses with {@code rules} as the rule engine and the node rules as {@code tuning} says. */
    public Analyses analyses(Analysis rules, AnalysisRules tuning) {
        return Analyses.standard(requestMemory, nodeGrace, rules, tuning);
    }
}
