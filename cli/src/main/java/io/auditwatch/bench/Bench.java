package io.auditwatch.bench;

import io.auditwatch.alert.Alert;
import io.auditwatch.broker.EmbeddedKafka;
import io.auditwatch.kafka.KafkaAdmin;
import io.auditwatch.detector.DetectorApp;
import io.auditwatch.detector.DetectorConfig;
import io.auditwatch.kafka.Topics;
import io.auditwatch.analyses.AnalysisConfig;
import io.auditwatch.event.AuditEventReader;
import io.auditwatch.ingest.AuditProducer;
import io.auditwatch.notify.AlertSubscriber;
import io.auditwatch.replay.Replay;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * One benchmark run: generates the event mix, then measures on it, one after the other so that they do not
 * compete for the cores, parse-only, replay, the live detector, the reference job, alert latency at a fixed
 * offered rate, and the node graph's footprint. Prints each figure as {@code name=value} lines.
 */
public final class Bench {
    /**
     * The cluster the stream simulates: large enough for a realistic graph, small enough that its pods (created
     * first) are a small part of the stream and then churn. A tiny run gets a tiny cluster, so it still has attacks.
     */
    static final int MIX_PODS = 3_000;
    static final int PODS_PER_NODE = 30;
    private static final int PRODUCE_BATCH = 5_000;
    private static final int OFFLINE_PASSES = 6;
    /** The last offline passes, whose median is the figure: those after the JIT's warm-up. */
    private static final int OFFLINE_MEASURED = 3;
    private static final int LIVE_PASSES = 3;
    /** Unmeasured rounds (a reference pass, then a detector pass) before the measured ones. */
    private static final int WARM_UP_ROUNDS = 3;

    private final BenchConfig config;
    private final PrintWriter out;
    private final AuditEventReader reader;

    public Bench(BenchConfig config, PrintWriter out) {
        this.config = config;
        this.out = out;
        this.reader = AnalysisConfig.DEFAULTS.reader();
    }

    public void run() throws Exception {
        Path work = Files.createTempDirectory("auditwatch-bench-");
        EmbeddedKafka kafka = null;
        try {
            figure("cores", Runtime.getRuntime().availableProcessors());
            figure("load_average_at_start", String.format("%.2f", ProcessStats.loadAverage()));
            int pods = Math.max(PODS_PER_NODE * 2, Math.min(MIX_PODS, config.events() / 50));
            EventMix mix = new EventMix(config.seed(), pods / PODS_PER_NODE, pods, config.rate());
            figure("mix_nodes", pods / PODS_PER_NODE);
            figure("mix_pods", pods);
            List<Path> files = generate(mix, config.keepEvents() != null ? config.keepEvents() : work.resolve("events"));
            offline(files);

            String bootstrap = config.bootstrapServers();
            if (bootstrap == null) {
                kafka = EmbeddedKafka.start(0, work.resolve("kafka"));
                bootstrap = kafka.bootstrapServers();
            }
            KafkaAdmin.ensureTopics(bootstrap, Topics.DEFAULT_PARTITIONS, Duration.ofSeconds(30));
            produce(bootstrap, files);
            // Fresh application ids: on a shared cluster an earlier run's offsets and state must not count.
            String run = UUID.randomUUID().toString().substring(0, 8);
            // Passes alternate, reference then detector, so that both jobs meet the same machine (it is shared: a
            // single pass of either varied by a quarter from run to run); each figure is the median measured pass.
            // The first rounds are not measured: they warm the JIT, which in one such round took as much CPU as a
            // stream thread. The measured passes are a long-running job's speed, as the offline ones are. The last
            // detector stays up for the latency phase.
            long records;
            try (KafkaAdmin admin = KafkaAdmin.open(bootstrap, Duration.ofSeconds(30))) {
                records = admin.records(Topics.AUDIT_EVENTS); // what a fresh application id will process
            }
            List<CaughtUp> references = new ArrayList<>();
            List<CaughtUp> detectors = new ArrayList<>();
            for (int pass = 1 - WARM_UP_ROUNDS; pass <= LIVE_PASSES; pass++) {
                String name = pass > 0 ? Integer.toString(pass) : "warm-up" + (pass + WARM_UP_ROUNDS);
                CaughtUp reference = reference(DetectorConfig.defaults(bootstrap, work.resolve("reference-state-" + name))
                        .withApplicationId("auditwatch-bench-reference-" + run + "-" + name));
                DetectorConfig detector = DetectorConfig.defaults(bootstrap, work.resolve("detector-state-" + name))
                        .withApplicationId("auditwatch-bench-" + run + "-" + name);
                try (DetectorApp app = DetectorApp.start(detector)) {
                    CaughtUp caughtUp = untilCaughtUp(detector, app::metrics);
                    if (pass > 0) {
                        references.add(reference);
                        detectors.add(caughtUp);
                    }
                    if (pass == LIVE_PASSES) {
                        live("reference", references, records);
                        live("detector", detectors, records);
                        figure("detector_rss_mib", ProcessStats.rssMiB());
                        latency(detector, app, mix);
                    }
                }
            }
            if (kafka != null) {
                kafka.close();
                kafka = null;
            }
            footprint(work.resolve("graph-rocksdb"));
            figure("load_average_at_end", String.format("%.2f", ProcessStats.loadAverage()));
        } finally {
            if (kafka != null) {
                kafka.close();
            }
            deleteRecursively(work);
        }
    }

    /** Writes the events as three API servers' audit logs (one request's stages stay in one file, in order). */
    private List<Path> generate(EventMix mix, Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Path> files = new ArrayList<>();
        List<OutputStream> writers = new ArrayList<>();
        long bytes = 0;
        try {
            for (int i = 0; i < EventMix.API_SERVERS; i++) {
                Path file = dir.resolve("kube-apiserver-" + i + "-audit.log");
                files.add(file);
                writers.add(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16));
            }
            for (int i = 0; i < config.events(); i++) {
                EventMix.Generated event = mix.next();
                OutputStream w = writers.get(event.apiServer());
                w.write(event.json());
                w.write('\n');
                bytes += event.json().length;
            }
        } finally {
            for (OutputStream w : writers) {
                w.close();
            }
        }
        figure("events", config.events());
        figure("mean_event_bytes", bytes / Math.max(1, config.events()));
        return files;
    }

    /**
     * Parse-only and replay over the files, alternately, {@value #OFFLINE_PASSES} times each; the median of the last
     * {@value #OFFLINE_MEASURED} (warm) passes is the figure. A replay of a month's logs runs for minutes with the
     * JIT long done; a pass over the bench's events takes a second or two, and the compiler was still at work in the
     * second and third (eight replays of the default mix in one JVM here: 31k, 76k, 90k, then 104k–131k events/s).
     */
    private void offline(List<Path> files) throws IOException {
        ObjectMapper mapper = AuditEventReader.mapper();
        List<Double> parseOnly = new ArrayList<>();
        List<Double> replay = new ArrayList<>();
        for (int pass = 0; pass < OFFLINE_PASSES; pass++) {
            long started = System.nanoTime();
            long parsed = 0;
            for (Path file : files) {
                try (BufferedReader lines = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                        if (mapper.readTree(line) != null) {
                            parsed++;
                        }
                    }
                }
            }
            parseOnly.add(rate(parsed, System.nanoTime() - started));
            started = System.nanoTime();
            long[] alerts = {0};
            var summary = new Replay(reader, AnalysisConfig.DEFAULTS.analyses())
                    .run(files, alert -> alerts[0]++, (file, rejection) -> { });
            replay.add(rate(summary.events(), System.nanoTime() - started));
            if (pass == OFFLINE_PASSES - 1) {
                figure("replay_alerts", summary.alerts());
            }
        }
        List<Double> parseOnlyMeasured = parseOnly.subList(OFFLINE_PASSES - OFFLINE_MEASURED, OFFLINE_PASSES);
        List<Double> replayMeasured = replay.subList(OFFLINE_PASSES - OFFLINE_MEASURED, OFFLINE_PASSES);
        double parseOnlyMedian = parseOnlyMeasured.get(median("parse_only", parseOnlyMeasured));
        double replayMedian = replayMeasured.get(median("replay", replayMeasured));
        figure("replay_vs_parse_only", String.format("%.2f", replayMedian / parseOnlyMedian));
    }

    /**
     * Prints {@code name_events_per_s}, the median of {@code rates}, and {@code name_passes_events_per_s}, each of
     * them in order; returns the median's index.
     */
    private int median(String name, List<Double> rates) {
        List<Integer> byRate = IntStream.range(0, rates.size()).boxed().sorted(Comparator.comparing(rates::get)).toList();
        int median = byRate.get(byRate.size() / 2);
        figure(name + "_events_per_s", Math.round(rates.get(median)));
        figure(name + "_passes_events_per_s", String.join(",", rates.stream().map(r -> Long.toString(Math.round(r))).toList()));
        return median;
    }

    /**
     * Produces every event as `auditwatch run ingest` does: no key, so the producer spreads batches over the
     * partitions, whatever the number of API servers.
     */
    private void produce(String bootstrap, List<Path> files) throws IOException {
        long started = System.nanoTime();
        long sent = 0;
        try (AuditProducer producer = new AuditProducer(bootstrap)) {
            for (Path file : files) {
                List<ProducerRecord<byte[], byte[]>> batch = new ArrayList<>(PRODUCE_BATCH);
                try (BufferedReader lines = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                        batch.add(AuditProducer.record(Topics.AUDIT_EVENTS, line.getBytes(StandardCharsets.UTF_8), null));
                        if (batch.size() == PRODUCE_BATCH) {
                            producer.sendAll(batch);
                            sent += batch.size();
                            batch.clear();
                        }
                    }
                }
                producer.sendAll(batch);
                sent += batch.size();
            }
        }
        figure("produce_events_per_s", Math.round(rate(sent, System.nanoTime() - started)));
    }

    /** A live job's figures over {@code records} events: every pass's rate, and the median pass's figures. */
    private void live(String job, List<CaughtUp> passes, long records) {
        CaughtUp median = passes.get(median(job, passes.stream().map(pass -> rate(records, pass.nanos())).toList()));
        figure(job + "_seconds", String.format("%.1f", median.nanos() / 1e9));
        figure(job + "_cpu_cores", String.format("%.2f", median.cpuCores()));
        // On a machine the job saturates, CPU per event bounds its rate; compare the two jobs' with each other.
        figure(job + "_cpu_us_per_event", String.format("%.1f", median.cpuNanos() / 1e3 / records));
        figure(job + "_jit_ms", median.compileMillis());
    }

    /** The reference job over everything in audit.events, from its start to its last committed offset. */
    private CaughtUp reference(DetectorConfig reference) throws Exception {
        KafkaStreams streams = ReferenceJob.start(reference);
        try {
            return untilCaughtUp(reference, streams::metrics);
        } finally {
            streams.close(Duration.ofSeconds(30));
        }
    }

    /**
     * How long catching up took, and the process's CPU and JIT compilation time over the same span (not over the
     * start-up before it).
     */
    private record CaughtUp(long nanos, long cpuNanos, long compileMillis) {
        double cpuCores() {
            return cpuNanos / (double) nanos;
        }
    }

    /**
     * From the application's first processed record until its committed offsets reach the end of its input and
     * repartition topics. The first record is seen in Kafka Streams' count of processed records, polled every
     * millisecond; offsets are committed every 100 ms under exactly-once, which bounds the error at the end. The
     * span includes what happens once after a start (a second rebalance, tasks still opening their stores while
     * others process), as a pass over a bounded input must.
     */
    private CaughtUp untilCaughtUp(DetectorConfig app, Supplier<Map<MetricName, ? extends Metric>> metrics)
            throws InterruptedException {
        long deadline = System.nanoTime() + config.patience().toNanos();
        while (processed(metrics.get()) == 0) {
            requireBefore(deadline, app.applicationId() + " did not process a record");
            Thread.sleep(1);
        }
        long started = System.nanoTime();
        long cpu = ProcessStats.cpuNanos();
        long compile = ProcessStats.compileMillis();
        try (KafkaAdmin admin = KafkaAdmin.open(app.bootstrapServers(), Duration.ofSeconds(30))) {
            while (!admin.processed(app.applicationId(), Set.of(Topics.AUDIT_EVENTS))) {
                requireBefore(deadline, app.applicationId() + " did not process every event");
                Thread.sleep(50);
            }
        }
        return new CaughtUp(System.nanoTime() - started, ProcessStats.cpuNanos() - cpu,
                ProcessStats.compileMillis() - compile);
    }

    /** Records processed so far by all stream threads, from their {@code process-total} metric. */
    private static long processed(Map<MetricName, ? extends Metric> metrics) {
        double total = 0;
        for (Map.Entry<MetricName, ? extends Metric> metric : metrics.entrySet()) {
            if (metric.getKey().group().equals("stream-thread-metrics") && metric.getKey().name().equals("process-total")
                    && metric.getValue().metricValue() instanceof Double value) {
                total += value;
            }
        }
        return (long) total;
    }

    private void requireBefore(long deadline, String what) {
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException(what + " within " + config.patience().toSeconds() + " s");
        }
    }

    /**
     * Offers the mix's next events at a fixed rate to the running, caught-up detector and times each prompt attack
     * (one that alerts at once, unlike node-graph verdicts, which wait out their grace window) from the send
     * to the arrival of its alert, read committed, on auditwatch.alerts.
     */
    private void latency(DetectorConfig detector, DetectorApp app, EventMix mix) throws Exception {
        Map<String, Long> sentAt = new HashMap<>();
        ConcurrentLinkedQueue<Arrival> arrivals = new ConcurrentLinkedQueue<>();
        long events = (long) config.rate() * config.latencyDuration().toMillis() / 1000;
        long elapsed;
        try (AlertSubscriber subscriber = new AlertSubscriber(detector.bootstrapServers(),
                     detector.applicationId() + "-latency", true)) {
            subscriber.awaitAssignment(Duration.ofSeconds(30), alert -> { });
            Thread listener = new Thread(() -> subscriber.run(alert -> arrivals.add(new Arrival(System.nanoTime(), alert))),
                    "bench-alerts");
            listener.start();
            Map<String, Object> producerConfig = new HashMap<>(AuditProducer.reliableConfig(detector.bootstrapServers()));
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig, new ByteArraySerializer(),
                    new ByteArraySerializer())) {
                long started = System.nanoTime();
                for (long i = 0; i < events; i++) {
                    long due = started + i * 1_000_000_000L / config.rate();
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    EventMix.Generated event = mix.next();
                    if (event.promptAttack()) {
                        sentAt.put(event.auditID(), System.nanoTime());
                    }
                    producer.send(AuditProducer.record(Topics.AUDIT_EVENTS, event.json(), null));
                }
                producer.flush();
                elapsed = System.nanoTime() - started;
            }
            untilCaughtUp(detector, app::metrics);
            // Alerts are committed with the offsets: give the listener a moment to read the last transaction.
            Thread.sleep(1_000);
            subscriber.stop();
            listener.join(10_000);
        }
        long[] latencies = arrivals.stream().flatMapToLong(arrival -> arrival.alert().evidence().stream()
                .map(e -> sentAt.get(e.auditID())).filter(Objects::nonNull).limit(1)
                .mapToLong(sent -> arrival.nanos() - sent)).sorted().toArray();
        figure("latency_offered_events_per_s", Math.round(rate(events, elapsed)));
        figure("latency_prompt_attacks", sentAt.size());
        figure("latency_alerts_timed", latencies.length);
        figure("alert_latency_p50_ms", percentile(latencies, 0.50));
        figure("alert_latency_p99_ms", percentile(latencies, 0.99));
    }

    private record Arrival(long nanos, Alert alert) {
    }

    private void footprint(Path rocksDir) throws Exception {
        GraphFootprint.Result graph = GraphFootprint.measure(config.seed(), config.nodes(), config.pods(), reader, rocksDir);
        figure("graph_nodes", graph.nodes());
        figure("graph_pods", graph.pods());
        figure("graph_heap_mib", graph.heapBytes() / (1024 * 1024));
        figure("graph_rocksdb_mib", String.format("%.1f", graph.rocksBytes() / (1024.0 * 1024)));
    }

    private static long percentile(long[] sortedNanos, double p) {
        if (sortedNanos.length == 0) {
            return -1;
        }
        int index = (int) Math.ceil(p * sortedNanos.length) - 1;
        return sortedNanos[Math.max(0, index)] / 1_000_000;
    }

    private static double rate(long count, long nanos) {
        return count / (Math.max(1, nanos) / 1e9);
    }

    private void figure(String name, Object value) {
        out.println(name + "=" + value);
        out.flush();
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
