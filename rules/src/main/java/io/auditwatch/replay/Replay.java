package io.auditwatch.replay;

import io.auditwatch.alert.Alert;
import io.auditwatch.dedup.RequestDedup;
import io.auditwatch.analyses.Analyses;
import io.auditwatch.engine.Analysis;
import io.auditwatch.engine.CountedRequests;
import io.auditwatch.engine.FiredMemory;
import io.auditwatch.engine.WorkloadMemory;
import io.auditwatch.nodegraph.Inventory;
import io.auditwatch.nodegraph.NodeGraph;
import io.auditwatch.event.AuditEvent;
import io.auditwatch.event.AuditEventReader;
import io.auditwatch.event.ReadResult;
import io.auditwatch.event.Rejection;
import io.auditwatch.state.ExpiringState;
import io.auditwatch.state.HashStore;
import io.auditwatch.state.SplitStore;
import io.auditwatch.state.TreeMapStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The offline host of the engine: the same dedup and detections as the Kafka Streams topology, over files,
 * with in-memory state and no per-record framework cost. Time is event time, so a replay of last month
 * raises the same alerts as live detection did.
 */
public final class Replay {
    /** Purge expired state when stream time has moved this far (the topology punctuates alike). */
    private static final long PURGE_INTERVAL_MILLIS = 30_000;

    private final AuditEventReader reader;
    private final RequestDedup dedup;
    private final NodeGraph nodeGraph;
    /**
     * The analyses after dedup, on the analysing thread. Each has a state of its own, whose clock moves only with
     * the events it accepts, as live.
     */
    private final List<Hosted> hosted;
    /**
     * Dedup's, on the analysing thread: with dedup, the reading side did the larger share of the work (replays of the
     * bench's mix ran 4–9% faster without it there).
     */
    private final ExpiringState dedupState = new ExpiringState(new HashStore());
    /** The reading side's: the node graph runs where the payloads are parsed (see {@link #read}). */
    private final ExpiringState graphState = new ExpiringState(new TreeMapStore());
    private final Map<String, Long> rejected = new TreeMap<>();
    private long streamTime = Long.MIN_VALUE;
    private long lastExpiry = Long.MIN_VALUE;
    /** The latest event time read: stream time as the reading side sees it, ahead of the analysis. */
    private long readTime = Long.MIN_VALUE;
    private long lastReadExpiry = Long.MIN_VALUE;
    private long payloads;
    private long events;
    private long duplicates;
    private long alerts;
    private final List<String> damaged = new ArrayList<>();
    /** For a progress display on another thread: bytes as the reading side consumes them, events per batch. */
    private final LongAdder bytesRead = new LongAdder();
    private final AtomicLong eventsSoFar = new AtomicLong();

    public Replay(AuditEventReader reader, Analyses analyses) {
        this.reader = reader;
        this.dedup = analyses.dedup();
        this.nodeGraph = analyses.nodeGraph();
        // The engine's per-request memories are read by key only: hashed, they stay out of the tree its ranges need.
        this.hosted = List.of(new Hosted(analyses.engine(), new ExpiringState(new SplitStore(List.of(
                        ExpiringState.storeKey(FiredMemory.FIRED), ExpiringState.storeKey(CountedRequests.KEY),
                        ExpiringState.storeKey(WorkloadMemory.KEY))))),
                new Hosted(analyses.tokenSources(), new ExpiringState(new TreeMapStore())));
    }

    private record Hosted(Analysis analysis, ExpiringState state) {
    }

    /** Hears what a replay could not use. Both calls come on the analysing thread, in input order. */
    public interface Listener {
        /** A payload that is not a usable audit event; it is counted and replay goes on. */
        void rejected(String input, long position, Rejection rejection);

        /**
         * An input that broke off at {@code line} (0: it could not be opened); what came before it was analysed
         * and replay goes on with the next input.
         */
        void damaged(String input, long line, IOException cause);
    }

    /**
     * Replays inputs in order. Inputs are read and parsed on a second thread while this one analyses; the
     * callbacks are called on this thread, in input order.
     */
    public ReplaySummary run(List<? extends ReplayInput> inputs, Consumer<Alert> onAlert, Listener listener)
            throws IOException {
        try (ReadAhead<Read> ahead = new ReadAhead<>(inputs, this::read, bytesRead::add)) {
            for (List<ReadAhead.Item<Read>> batch = ahead.next(); batch != null; batch = ahead.next()) {
                for (ReadAhead.Item<Read> item : batch) {
                    if (item instanceof ReadAhead.Parsed<Read> parsed) {
                        analyse(parsed.result(), onAlert,
                                rejection -> listener.rejected(parsed.input(), parsed.position(), rejection));
                    } else if (item instanceof ReadAhead.Damaged<Read> broken) {
                        damaged.add(broken.input());
                        listener.damaged(broken.input(), broken.line(), broken.cause());
                    }
                }
                eventsSoFar.setOpaque(events);
            }
        }
        finish(onAlert);
        return summary();
    }

    /**
     * Replays files in order; {@code onRejected} hears of every unusable payload. A file that cannot be read to
     * its end is thrown after every other file was replayed.
     */
    public ReplaySummary run(List<Path> files, Consumer<Alert> onAlert, BiConsumer<Path, Rejection> onRejected)
            throws IOException {
        List<IOException> failures = new ArrayList<>();
        ReplaySummary summary = run(files.stream().map(LogInput::file).toList(), onAlert, new Listener() {
            @Override
            public void rejected(String input, long position, Rejection rejection) {
                onRejected.accept(Path.of(input), rejection);
            }

            @Override
            public void damaged(String input, long line, IOException cause) {
                failures.add(cause);
            }
        });
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
        return summary;
    }

    /** Bytes consumed so far from the inputs (compressed bytes for gzip), safe to read from any thread. */
    public long bytesRead() {
        return bytesRead.sum();
    }

    /** Events analysed so far, updated per batch, safe to read from any thread. */
    public long eventsRead() {
        return eventsSoFar.getOpaque();
    }

    /** Feeds one payload; events without a timestamp take the latest event time seen, else {@code fallbackTime}. */
    public void accept(byte[] payload, long fallbackTime, Consumer<Alert> onAlert, Consumer<Rejection> onRejected) {
        analyse(read(payload, fallbackTime), onAlert, onRejected);
    }

    /**
     * A payload as the reading side leaves it: parsed, and the node graph's alerts at each event (null when it
     * raised none in this payload, as nearly always).
     */
    private record Read(ReadResult result, List<List<Alert>> graphAlerts) {
    }

    /**
     * The reading side: parses a payload and feeds the node graph. The graph needs nothing from the rules or
     * dedup, so it runs here; it sees every event, as live, where it is fed straight from the parser. Every event
     * read moves the read time, so it equals the stream time that the analysing side will have reached at this
     * event.
     */
    private Read read(byte[] payload, long fallbackTime) {
        ReadResult result = reader.read(payload, readTime == Long.MIN_VALUE ? fallbackTime : readTime);
        int count = result.events().size();
        List<List<Alert>> graphAlerts = null;
        for (int i = 0; i < count; i++) {
            AuditEvent event = result.events().get(i);
            readTime = Math.max(readTime, event.eventTimeMillis());
            if (lastReadExpiry == Long.MIN_VALUE) {
                lastReadExpiry = readTime;
            } else if (readTime - lastReadExpiry >= PURGE_INTERVAL_MILLIS) {
                graphState.expire();
                lastReadExpiry = readTime;
            }
            if (nodeGraph.accepts(event)) {
                graphState.advanceTo(event.eventTimeMillis());
                List<Alert> raised = nodeGraph.process(event, graphState);
                if (!raised.isEmpty()) {
                    if (graphAlerts == null) {
                        graphAlerts = new ArrayList<>(Collections.nCopies(count, List.of()));
                    }
                    graphAlerts.set(i, raised);
                }
            }
        }
        return new Read(result, graphAlerts);
    }

    private void analyse(Read read, Consumer<Alert> onAlert, Consumer<Rejection> onRejected) {
        payloads++;
        ReadResult result = read.result();
        for (Rejection rejection : result.rejections()) {
            rejected.merge(rejection.reason().code(), 1L, Long::sum);
            onRejected.accept(rejection);
        }
        for (int i = 0; i < result.events().size(); i++) {
            AuditEvent event = result.events().get(i);
            events++;
            advance(event.eventTimeMillis());
            if (dedup.admit(event, dedupState)) {
                for (Hosted h : hosted) {
                    if (h.analysis().accepts(event)) {
                        h.state().advanceTo(event.eventTimeMillis());
                        emit(h.analysis().process(event, h.state()), onAlert);
                    }
                }
            } else {
                duplicates++;
            }
            if (read.graphAlerts() != null) {
                emit(read.graphAlerts().get(i), onAlert);
            }
        }
    }

    /** Loads an inventory snapshot ({@code kubectl get pods -A -o json}) into the graph before the events. */
    public void loadInventory(Path file) throws IOException {
        for (AuditEvent pod : Inventory.events(AuditEventReader.mapper().readTree(file.toFile()), reader)) {
            nodeGraph.process(pod, graphState);
        }
    }

    /** End of input: judges every access still inside its grace window, as live detection will once time moves on. */
    public void finish(Consumer<Alert> onAlert) {
        emit(nodeGraph.flush(graphState, Long.MAX_VALUE), onAlert);
    }

    private void emit(List<Alert> raised, Consumer<Alert> onAlert) {
        for (Alert alert : raised) {
            alerts++;
            onAlert.accept(alert);
        }
    }

    private void advance(long eventTime) {
        if (eventTime > streamTime) {
            streamTime = eventTime;
        }
        dedupState.advanceTo(streamTime);
        if (lastExpiry == Long.MIN_VALUE) {
            lastExpiry = streamTime;
        } else if (streamTime - lastExpiry >= PURGE_INTERVAL_MILLIS) {
            dedupState.expire();
            hosted.forEach(h -> h.state().expire());
            lastExpiry = streamTime;
        }
    }

    public ReplaySummary summary() {
        // Map.copyOf would drop the TreeMap's order and make summary lines differ from run to run.
        return new ReplaySummary(payloads, events, duplicates, alerts,
                Collections.unmodifiableMap(new TreeMap<>(rejected)), List.copyOf(damaged),
                Collections.unmodifiableMap(new TreeMap<>(nodeGraph.coverage())));
    }
}
