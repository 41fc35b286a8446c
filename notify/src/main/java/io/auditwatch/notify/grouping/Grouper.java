package io.auditwatch.notify.grouping;

import io.auditwatch.alert.Alert;
import io.auditwatch.engine.RequestKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Folds repeats of one finding (same dedup key) so a SOC sees one message, not fifty. The first alert of a
 * key goes out at once and opens a window; repeats within the window are held; when the window closes they go
 * out as one message with the total count and first/last seen. An alert of a higher level than its window's
 * first (a rule raised at run time, a finding that got worse) is never held: see {@link #escalate}. Windows are
 * measured on the injected clock
 * (arrival time at the notifier), so tests move time instead of sleeping.
 *
 * @param <T> what the caller tracks per alert (its Kafka offset), handed back with the group
 */
public final class Grouper<T> {
    /** How many of the repeats' evidence entries the group message carries. */
    static final int GROUP_EVIDENCE_MAX = 10;

    /** Held repeats, delivered together: {@code alert} is the merged alert, {@code tickets} the repeats'. */
    public record Group<T>(String messageId, Alert alert, List<T> tickets) {
    }

    private static final class Window<T> {
        final Alert first;
        final Instant closesAt;
        final List<Alert> repeats = new ArrayList<>();
        final List<T> tickets = new ArrayList<>();

        Window(Alert first, Instant closesAt) {
            this.first = first;
            this.closesAt = closesAt;
        }
    }

    private final Duration window;
    private final Clock clock;
    private final Map<String, Window<T>> open = new LinkedHashMap<>();
    private final List<Window<T>> closed = new ArrayList<>();

    /** A zero window turns grouping off: every alert goes out on its own. */
    public Grouper(Duration window, Clock clock) {
        this.window = window;
        this.clock = clock;
    }

    /** @return true when the alert should go out now, false when it is held as a repeat */
    public boolean offer(Alert alert, T ticket) {
        if (window.isZero() || alert.dedupKey() == null) {
            return true;
        }
        Instant now = clock.instant();
        Window<T> current = open.get(alert.dedupKey());
        if (current == null || !now.isBefore(current.closesAt)) {
            if (current != null) {
                closed.add(current); // flushed by the next due()
            }
            open.put(alert.dedupKey(), new Window<>(alert, now.plus(window)));
            return true;
        }
        current.repeats.add(alert);
        current.tickets.add(ticket);
        return false;
    }

    /** Windows that closed: those with held repeats become groups, the rest are forgotten. */
    public List<Group<T>> due() {
        Instant now = clock.instant();
        List<Group<T>> groups = new ArrayList<>();
        for (Window<T> w : closed) {
            if (!w.repeats.isEmpty()) {
                groups.add(merge(w));
            }
        }
        closed.clear();
        for (Iterator<Window<T>> it = open.values().iterator(); it.hasNext(); ) {
            Window<T> w = it.next();
            if (now.isBefore(w.closesAt)) {
                continue;
            }
            it.remove();
            if (!w.repeats.isEmpty()) {
                groups.add(merge(w));
            }
        }
        return groups;
    }

    /**
     * When {@code alert} is of a higher level than the open window of its key, closes that window now, like
     * {@link #close}, so that {@link #offer} then sends the alert at once and opens a window at its level: an
     * escalation is never held behind a lower alert's window. Returns the closed window's held repeats as a
     * group, to go out before the escalation; none when the alert does not escalate.
     */
    public List<Group<T>> escalate(Alert alert) {
        Window<T> current = alert.dedupKey() == null ? null : open.get(alert.dedupKey());
        if (current == null || alert.rule().level().compareTo(current.first.rule().level()) <= 0) {
            return List.of();
        }
        return close(alert.dedupKey());
    }

    /**
     * Closes the window of {@code dedupKey} now (its finding was resolved): its held repeats, if any, as a
     * group, so they go out before the resolution and do not reopen what it closed.
     */
    public List<Group<T>> close(String dedupKey) {
        if (dedupKey == null) {
            return List.of();
        }
        List<Window<T>> windows = new ArrayList<>();
        for (Iterator<Window<T>> it = closed.iterator(); it.hasNext(); ) {
            Window<T> w = it.next();
            if (dedupKey.equals(w.first.dedupKey())) {
                windows.add(w);
                it.remove();
            }
        }
        Window<T> current = open.remove(dedupKey);
        if (current != null) {
            windows.add(current);
        }
        return windows.stream().filter(w -> !w.repeats.isEmpty()).map(this::merge).toList();
    }

    /** Windows still open with held repeats (what a shutdown leaves uncommitted, to be redelivered). */
    public int held() {
        return Stream.concat(open.values().stream(), closed.stream())
                .mapToInt(w -> w.repeats.size()).sum();
    }

    private Group<T> merge(Window<T> w) {
        Alert last = w.repeats.get(w.repeats.size() - 1);
        long count = w.first.count() + w.repeats.stream().mapToLong(Alert::count).sum();
        String lastSeen = w.repeats.stream().map(Alert::lastSeen).filter(s -> s != null)
                .max(String::compareTo).orElse(last.lastSeen());
        List<Alert.Evidence> evidence = w.repeats.stream()
                .flatMap(a -> a.evidence() == null ? Stream.empty() : a.evidence().stream())
                .toList();
        evidence = evidence.subList(Math.max(0, evidence.size() - GROUP_EVIDENCE_MAX), evidence.size());
        String id = "group-" + RequestKey.digest(w.first.id() + "|" + String.join("|",
                w.repeats.stream().map(Alert::id).toList()), 32);
        Alert merged = new Alert(id, last.rule(), last.cluster(), last.identity(), last.target(), last.summary(),
                last.explanation(), evidence, w.first.firstSeen(), lastSeen, count, last.dedupKey());
        return new Group<>(id, merged, List.copyOf(w.tickets));
    }
}
