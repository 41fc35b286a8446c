package io.auditwatch.detector;

import io.auditwatch.analyses.AnalysisConfig;
import io.auditwatch.engine.Analyses;
import io.auditwatch.event.AuditEventReader;
import io.auditwatch.kafka.Topics;
import io.auditwatch.rules.TunedRules;
import java.nio.file.Path;

/**
 * Every setting of the detector, immutable; its defaults are declared here (the analyses' in
 * {@link AnalysisConfig#DEFAULTS}) and nowhere else. The CLI fills it from flags and environment variables of
 * the same name; a copy with one change is a {@code with...} call.
 *
 * @param streamThreads Kafka Streams threads of this instance
 * @param exactlyOnce   exactly_once_v2 when true, else at_least_once
 * @param analysis      the settings of the analyses, shared with replay
 */
public record DetectorConfig(String bootstrapServers, String applicationId, int partitions, int streamThreads,
                             Path stateDir, boolean exactlyOnce, AnalysisConfig analysis) {

    public static final String DEFAULT_APPLICATION_ID = "auditwatch-detector";
    public static final Path DEFAULT_STATE_DIR = Path.of("./data/streams");

    public static DetectorConfig defaults(String bootstrapServers, Path stateDir) {
        return new DetectorConfig(bootstrapServers, DEFAULT_APPLICATION_ID, Topics.DEFAULT_PARTITIONS,
                streamThreadsFor(Topics.DEFAULT_PARTITIONS), stateDir, true, AnalysisConfig.DEFAULTS);
    }

    /**
     * One stream thread per core, at most one per partition (a thread without a task idles): a single thread kept
     * the detector to one core of two.
     */
    public static int streamThreadsFor(int partitions) {
        return Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), partitions));
    }

    public DetectorConfig withApplicationId(String id) {
        return new DetectorConfig(bootstrapServers, id, partitions, streamThreads, stateDir, exactlyOnce, analysis);
    }

    /** This config on {@code n} partitions, with as many stream threads as they keep busy. */
    public DetectorConfig withPartitions(int n) {
        return new DetectorConfig(bootstrapServers, applicationId, n, streamThreadsFor(n), stateDir, exactlyOnce, analysis);
    }

    public AuditEventReader reader() {
        return analysis.reader();
    }

    public Analyses analyses() {
        return analysis.analyses();
    }

    /** The analyses with {@code rules} (the live-tunable rule pack) as the rule engine. */
    public Analyses analyses(TunedRules rules) {
        return analysis.analyses(rules, rules);
    }
}
