package io.auditwatch.bench;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Every setting of a benchmark run.
 *
 * @param events           events generated, produced, and measured by each throughput phase
 * @param nodes            nodes of the cluster whose node graph is weighed
 * @param pods             pods of that cluster
 * @param bootstrapServers an existing Kafka, or null for an embedded broker
 * @param rate             offered events per second while alert latency is measured
 * @param latencyDuration   how long that rate is offered
 * @param patience         how long a phase may take before the run fails
 * @param keepEvents       where to keep the generated audit logs, or null
 */
public record BenchConfig(int events, long seed, int nodes, int pods, String bootstrapServers, int rate,
                          Duration latencyDuration, Duration patience,
                          Path keepEvents) {
    public BenchConfig {
        if (events < 1 || nodes < 2 || pods < 1 || rate < 1 || latencyDuration.isNegative() || patience.isNegative()) {
            throw new IllegalArgumentException("events, pods and rate must be positive, nodes at least 2, durations not negative");
        }
    }
}
