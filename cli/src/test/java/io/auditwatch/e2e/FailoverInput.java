package io.auditwatch.e2e;

import io.auditwatch.alert.Alert;
import io.auditwatch.bench.EventMix;
import io.auditwatch.detector.DetectorConfig;
import io.auditwatch.replay.Replay;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The input of a fail-over test (time-ordered events of the benchmark's mix) and what replay decides on it: the
 * alerts a live run must commit exactly once, whatever dies on the way.
 */
final class FailoverInput {
    final List<byte[]> events = new ArrayList<>();
    final List<Alert> expected = new ArrayList<>();

    FailoverInput(int count, Path work) {
        EventMix mix = new EventMix(1, 10, 300, 2_000);
        for (int i = 0; i < count; i++) {
            events.add(mix.next().json());
        }
        DetectorConfig config = DetectorConfig.defaults("unused", work);
        Replay replay = new Replay(config.reader(), config.analyses());
        for (byte[] event : events) {
            replay.accept(event, 0, expected::add, r -> { });
        }
        // Not replay.finish(): verdicts still inside their grace window at the end of the input wait, live, for
        // later events; the comparison is of what both have decided.
    }

    /** "0 missing, 0 unexpected, 0 twice" when {@code committed} holds each expected alert once, else the counts. */
    String compare(List<Alert> committed) {
        List<String> want = ids(expected);
        List<String> got = ids(committed);
        List<String> missing = want.stream().filter(id -> !got.contains(id)).toList();
        List<String> unexpected = got.stream().filter(id -> !want.contains(id)).distinct().toList();
        long twice = got.size() - got.stream().distinct().count();
        return missing.size() + " missing, " + unexpected.size() + " unexpected, " + twice + " twice";
    }

    /** Why {@link #compare} may differ, by rule: for the assertion's message. */
    String detail(List<Alert> committed) {
        List<String> want = ids(expected);
        List<String> got = ids(committed);
        return "of " + want.size() + " alerts; missing rules "
                + rules(expected, want.stream().filter(id -> !got.contains(id)).toList()) + ", unexpected rules "
                + rules(committed, got.stream().filter(id -> !want.contains(id)).toList());
    }

    private static Map<String, Long> rules(List<Alert> alerts, List<String> ids) {
        return alerts.stream().filter(a -> ids.contains(a.id())).collect(Collectors.groupingBy(
                a -> a.rule().id(), TreeMap::new, Collectors.counting()));
    }

    private static List<String> ids(List<Alert> alerts) {
        return alerts.stream().map(Alert::id).sorted().toList();
    }
}
