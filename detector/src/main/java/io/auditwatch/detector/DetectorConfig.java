package io.auditwatch.detector;

import io.auditwatch.event.AuditEventReader;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Every setting of the detector, immutable. The CLI fills it from flags and environment variables of the
 * same name.
 *
 * @param requestMemory how long (event time) a request is remembered for dedup; covers webhook retries
 *                      and stages of long-running requests
 */
public record DetectorConfig(String bootstrapServers, String applicationId, String cluster, int partitions,
                             int streamThreads, Path stateDir, boolean exactlyOnce, int maxEventBytes,
                             Duration requestMemory) {

    public static final String DEFAULT_APPLICATION_ID = "auditwatch-detector";
    public static final String DEFAULT_CLUSTER = "default";

    public static DetectorConfig defaults(String bootstrapServers, Path stateDir) {
        return new DetectorConfig(bootstrapServers, DEFAULT_APPLICATION_ID, DEFAULT_CLUSTER, 3, 1, stateDir, true,
                AuditEventReader.DEFAULT_MAX_EVENT_BYTES, Duration.ofHours(1));
    }

    public DetectorConfig withApplicationId(String id) {
        return new DetectorConfig(bootstrapServers, id, cluster, partitions, streamThreads, stateDir, exactlyOnce,
                maxEventBytes, requestMemory);
    }
}
