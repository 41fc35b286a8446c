package io.auditwatch.detector;

import io.auditwatch.analyses.Analyses;
import io.auditwatch.event.AuditEventReader;
import io.auditwatch.language.TunedRules;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Every setting of the detector, immutable. The CLI fills it from flags and environment variables of the
 * same name.
 *
 * @param requestMemory how long a request that alerted is remembered, from when it was seen (event time), so that
 *                      no later stage and no re-sent copy of it alerts again
 * @param nodeGrace     how long (event time) an allowed node-credential access waits for a late pod create or
 *                      binding that justifies it before it is judged
 */
public record DetectorConfig(String bootstrapServers, String applicationId, String cluster, int partitions,
                             int streamThreads, Path stateDir, boolean exactlyOnce, int maxEventBytes,
                             Duration requestMemory, Duration nodeGrace) {

    public static final String DEFAULT_APPLICATION_ID = "auditwatch-detector";
    public static final String DEFAULT_CLUSTER = "default";

    public static DetectorConfig defaults(String bootstrapServers, Path stateDir) {
        return new DetectorConfig(bootstrapServers, DEFAULT_APPLICATION_ID, DEFAULT_CLUSTER, 3, streamThreadsFor(3), stateDir,
                true, AuditEventReader.DEFAULT_MAX_EVENT_BYTES, Analyses.DEFAULT_REQUEST_MEMORY, Duration.ofSeconds(90));
    }

    /**
     * One stream thread per core, at most one per partition (a thread without a task idles): a single thread kept
     * the detector to one core of two (docs/benchmarks.md, round 3).
     */
    public static int streamThreadsFor(int partitions) {
        return Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), partitions));
    }

    public DetectorConfig withApplicationId(String id) {
        return new DetectorConfig(bootstrapServers, id, cluster, partitions, streamThreads, stateDir, exactlyOnce,
                maxEventBytes, requestMemory, nodeGrace);
    }

    public AuditEventReader reader() {
        return new AuditEventReader(maxEventBytes, cluster);
    }

    public Analyses analyses() {
        return Analyses.standard(requestMemory, nodeGrace);
    }

    /** The analyses with {@code rules} (the live-tunable rule pack) as the rule engine. */
    public Analyses analyses(TunedRules rules) {
        return Analyses.standard(requestMemory, nodeGrace, rules, rules);
    }
}
