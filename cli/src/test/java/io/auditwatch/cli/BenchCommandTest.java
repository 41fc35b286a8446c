package io.auditwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The bench command keeps working; its figures are not judged here (docs/benchmarks.md). */
class BenchCommandTest {
    private static final List<String> FIGURES = List.of("parse_only_events_per_s", "replay_events_per_s",
            "detector_events_per_s", "detector_cpu_cores", "detector_cpu_us_per_event", "detector_rss_mib",
            "reference_events_per_s", "reference_cpu_cores", "reference_cpu_us_per_event",
            "latency_offered_events_per_s", "latency_alerts_timed", "alert_latency_p50_ms", "alert_latency_p99_ms",
            "graph_heap_mib", "graph_rocksdb_mib");

    /**
     * A small run still starts a broker and twelve Streams apps (warm-up and measured passes of both jobs): close to
     * a minute, so it runs with the slow tests (-Pslow, as .ci/run does).
     */
    @Test
    @Tag("slow")
    void printsEveryFigureAndEachIsPositive() {
        CliRun run = new CliRun(Map.of(), "bench", "--events", "2000", "--nodes", "20", "--pods", "400",
                "--rate", "1000", "--latency-duration", "PT3S", "--patience", "PT2M");
        assertEquals(0, run.exitCode, run.err.toString());
        Map<String, String> figures = run.outLines().stream().filter(l -> l.matches("[a-z_0-9]+=.*"))
                .collect(Collectors.toMap(l -> l.substring(0, l.indexOf('=')), l -> l.substring(l.indexOf('=') + 1)));
        assertEquals("2000", figures.get("events"));
        for (String figure : FIGURES) {
            assertTrue(figures.containsKey(figure), figure + " missing from " + figures);
            // graph_heap_mib may round down to 0 for a graph of 400 pods; the RocksDB size has a decimal.
            double value = Double.parseDouble(figures.get(figure));
            assertTrue(figure.equals("graph_heap_mib") ? value >= 0 : value > 0, figure + "=" + value);
        }
        // The JIT may have compiled nothing during a pass of a tiny input: the figure is there, in whole ms.
        for (String jit : List.of("reference_jit_ms", "detector_jit_ms")) {
            assertTrue(figures.containsKey(jit), jit + " missing from " + figures);
            assertTrue(figures.get(jit).matches("[0-9]+"), jit + "=" + figures.get(jit));
        }
        // Throughput figures are the median of the passes listed next to them.
        for (String job : List.of("parse_only", "replay", "reference", "detector")) {
            List<Long> passes = Arrays.stream(figures.get(job + "_passes_events_per_s").split(","))
                    .map(Long::parseLong).sorted().toList();
            assertEquals(3, passes.size(), job);
            assertEquals(passes.get(1), Long.parseLong(figures.get(job + "_events_per_s")), job);
        }
    }

    @Test
    void refusesANonPositiveEventCountWithOneLine() {
        CliRun run = new CliRun(Map.of(), "bench", "--events", "0");
        assertEquals(1, run.errLines().size(), run.err.toString());
        assertTrue(run.err.toString().contains("events"), run.err.toString());
        assertTrue(run.exitCode != 0);
    }
}
