package io.auditwatch.bench;

import io.auditwatch.analyses.AnalysisConfig;
import io.auditwatch.engine.Analyses;
import io.auditwatch.event.AuditEvent;
import io.auditwatch.event.AuditEventReader;
import io.auditwatch.nodegraph.NodeGraph;
import io.auditwatch.state.ExpiringState;
import io.auditwatch.state.TreeMapStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.rocksdb.RocksDBException;

/**
 * What the node graph of a cluster costs: its pods created and bound once, held by the graph in memory (as
 * replay hosts it) and in RocksDB (as the detector does).
 */
final class GraphFootprint {
    record Result(int nodes, int pods, long heapBytes, long rocksBytes, long seconds) {
    }

    private GraphFootprint() {
    }

    static Result measure(long seed, int nodes, int pods, AuditEventReader reader, Path rocksDir)
            throws IOException, RocksDBException {
        long started = System.nanoTime();
        long heapBefore = ProcessStats.usedHeapAfterGc();
        ExpiringState inMemory = new ExpiringState(new TreeMapStore());
        try (RocksStore rocks = new RocksStore(rocksDir)) {
            ExpiringState onDisk = new ExpiringState(rocks);
            Duration grace = AnalysisConfig.DEFAULTS.nodeGrace();
            NodeGraph heapGraph = Analyses.standard(Duration.ofHours(1), grace).nodeGraph();
            NodeGraph diskGraph = Analyses.standard(Duration.ofHours(1), grace).nodeGraph();
            populate(new EventMix(seed, nodes, pods, 5_000), reader, heapGraph, inMemory, diskGraph, onDisk);
            rocks.flush();
            // The generator's own list of pods is garbage by now; what stays reachable is the graph's state.
            long heap = ProcessStats.usedHeapAfterGc() - heapBefore;
            return new Result(nodes, pods, heap, size(rocksDir), (System.nanoTime() - started) / 1_000_000_000L);
        } finally {
            // Keeps the in-memory graph reachable until the heap was measured.
            inMemory.advanceTo(0);
        }
    }

    private static void populate(EventMix mix, AuditEventReader reader, NodeGraph heapGraph, ExpiringState inMemory,
                                 NodeGraph diskGraph, ExpiringState onDisk) {
        while (!mix.populated()) {
            for (AuditEvent event : reader.read(mix.next().json(), 0L).events()) {
                if (heapGraph.accepts(event)) {
                    inMemory.advanceTo(event.eventTimeMillis());
                    heapGraph.process(event, inMemory);
                    onDisk.advanceTo(event.eventTimeMillis());
                    diskGraph.process(event, onDisk);
                }
            }
        }
    }

    private static long size(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
    }
}
