package io.auditwatch.language;

import io.auditwatch.alert.Alert;
import io.auditwatch.engine.Alerts;
import io.auditwatch.engine.Correlation;
import io.auditwatch.engine.CountedRequests;
import io.auditwatch.engine.Detection;
import io.auditwatch.engine.Digests;
import io.auditwatch.engine.RequestKey;
import io.auditwatch.engine.RuleDefinition;
import io.auditwatch.event.AuditEvent;
import io.auditwatch.state.ExpiringState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * A Sigma correlation rule (event_count, value_count, temporal, temporal_ordered) or our first_seen, over the
 * requests its base rules match, per group-by key, in event time. State keys hold digests of attacker-controlled
 * values, never the values, so no value can reach into another group's key range.
 *
 * <pre>
 * c|&lt;rule&gt;|&lt;group&gt;|n|&lt;time&gt;|&lt;request&gt;  event_count: one entry per request in the window
 * c|&lt;rule&gt;|&lt;group&gt;|v|&lt;value&gt;           value_count, first_seen: the values seen
 * c|&lt;rule&gt;|&lt;group&gt;|r|&lt;base rule&gt;       temporal: when each base rule last matched
 * c|&lt;rule&gt;|&lt;group&gt;|start                 first_seen: when learning began for the group
 * c|&lt;rule&gt;|&lt;group&gt;|fired                 suppresses repeats until the window ends
 * </pre>
 * Which requests a correlation has counted is kept per request, for all correlations, by {@link CountedRequests}.
 */
final class CorrelationRule implements Correlation {
    enum Type { EVENT_COUNT, VALUE_COUNT, TEMPORAL, TEMPORAL_ORDERED, FIRST_SEEN }

    private static final long REQUEST_STAGES_MILLIS = java.time.Duration.ofHours(24).toMillis();

    private final RuleDefinition rule;
    private final Type type;
    /** A base is a rule (matched against the event) or an earlier correlation (that alerted on the event). */
    record Base(RuleDefinition rule, Detection detection) {
        boolean matches(Set<String> raised, Set<Detection> matched) {
            return detection == null ? raised.contains(rule.id()) : matched.contains(detection);
        }
    }

    private final List<Base> bases;
    private final boolean silent;
    /** The group-by fields of each base rule, by rule id: aliases name a different field per rule. */
    private final Map<String, List<EventField>> groupBy;
    private final List<EventField> valueFields;
    private final long timespanMillis;
    private final long learningMillis;
    private final long threshold;
    private final List<String> valueNames;
    private final String description;

    CorrelationRule(RuleDefinition rule, Type type, List<Base> bases, boolean silent, Map<String, List<EventField>> groupBy,
                    List<EventField> valueFields, List<String> valueNames, long timespanMillis, long learningMillis,
                    long threshold, String description) {
        this.rule = rule;
        this.type = type;
        this.bases = List.copyOf(bases);
        this.silent = silent;
        this.groupBy = Map.copyOf(groupBy);
        this.valueFields = List.copyOf(valueFields);
        this.valueNames = List.copyOf(valueNames);
        this.timespanMillis = timespanMillis;
        this.learningMillis = learningMillis;
        this.threshold = threshold;
        this.description = description;
    }

    @Override
    public RuleDefinition rule() {
        return rule;
    }

    @Override
    public List<Detection> bases() {
        return bases.stream().map(Base::detection).filter(java.util.Objects::nonNull).toList();
    }

    /** The ids of the correlations this one counts. */
    List<String> correlationBases() {
        return bases.stream().filter(b -> b.detection() == null).map(b -> b.rule().id()).toList();
    }

    @Override
    public boolean silent() {
        return silent;
    }

    /** The same correlation, running only to feed the correlations that name it. */
    CorrelationRule feeding() {
        return new CorrelationRule(rule, type, bases, true, groupBy, valueFields, valueNames, timespanMillis,
                learningMillis, threshold, description);
    }

    @Override
    public List<Alert> observe(AuditEvent event, Digests digests, CountedRequests counted,
                               ExpiringState state, Set<String> raised, Set<Detection> matchedBases) {
        List<Base> matched = null;
        for (Base base : bases) {
            if (base.matches(raised, matchedBases)) {
                if (matched == null) {
                    matched = new ArrayList<>(1);
                }
                matched.add(base);
            }
        }
        if (matched == null) {
            return List.of();
        }
        List<EventField> keys = groupBy.get(matched.get(0).rule().id());
        String group = keys.isEmpty() ? "-" : digests.of(groupText(keys, event));
        String prefix = "c|" + rule.id() + "|" + group + "|";
        if (type == Type.TEMPORAL_ORDERED) {
            matched = inOrder(matched, state, prefix);
            if (matched.isEmpty()) {
                return List.of();
            }
        }
        long time = event.eventTimeMillis();
        String request = digests.request();
        // A request counts once, whatever the number of stages it was logged at. Every type needs this: event_count
        // would count a later stage again once the request's window entry expired; value_count and temporal would
        // record a later stage's value or base again (a stage can match a base the first did not: "allowed" needs
        // the response) and, arriving after a newer request, put its older time back over the newer one's;
        // first_seen would take a later stage for a new sighting (a field that differs by stage, or the value's
        // entry gone first: the 1/64 refresh rule and a learning period longer than the timespan both let it go
        // before this). Long enough for every stage of the request (an exec session can last hours), not for the
        // whole window.
        if (!counted.firstTime(rule.id(), time + Math.min(Math.max(timespanMillis, learningMillis) + 1, REQUEST_STAGES_MILLIS))) {
            return List.of();
        }
        return switch (type) {
            case EVENT_COUNT -> eventCount(event, state, prefix, time, request, group, keys);
            case VALUE_COUNT -> valueCount(event, digests, state, prefix, time, request, group, keys);
            case TEMPORAL, TEMPORAL_ORDERED -> temporal(event, state, prefix, time, matched, request, group, keys);
            case FIRST_SEEN -> firstSeen(event, digests, state, prefix, time, request, group, keys);
        };
    }

    private List<Alert> eventCount(AuditEvent event, ExpiringState state, String prefix, long time, String request,
                                   String group, List<EventField> keys) {
        state.put(prefix + "n|" + time + "|" + request, "", time + timespanMillis);
        long[] count = {0};
        long[] first = {time};
        state.range(prefix + "n|", (k, v) -> {
            count[0]++;
            long t = Long.parseLong(k.substring(prefix.length() + 2, k.indexOf('|', prefix.length() + 2)));
            first[0] = Math.min(first[0], t);
        });
        return count[0] >= threshold
                ? fire(event, state, prefix, time, request, group, keys, count[0], first[0],
                        count[0] + " matching requests within " + human(timespanMillis))
                : List.of();
    }

    private List<Alert> valueCount(AuditEvent event, Digests digests, ExpiringState state, String prefix, long time, String request,
                                   String group, List<EventField> keys) {
        String value = values(event);
        if (value == null) {
            return List.of();
        }
        // The value is the time it was last seen: the window's first is reported.
        state.put(prefix + "v|" + digests.of(value), Long.toString(time), time + timespanMillis);
        long[] count = {0};
        long[] first = {time};
        state.range(prefix + "v|", (k, v) -> {
            count[0]++;
            first[0] = Math.min(first[0], Long.parseLong(v));
        });
        return count[0] >= threshold
                ? fire(event, state, prefix, time, request, group, keys, count[0], first[0],
                        count[0] + " distinct values of " + valueNames() + " within " + human(timespanMillis))
                : List.of();
    }

    private List<Alert> temporal(AuditEvent event, ExpiringState state, String prefix, long time,
                                 List<Base> matched, String request, String group, List<EventField> keys) {
        for (Base base : matched) {
            state.put(prefix + "r|" + base.rule().id(), Long.toString(time), time + timespanMillis);
        }
        long previous = Long.MIN_VALUE;
        long first = time;
        for (Base base : bases) {
            String seen = state.get(prefix + "r|" + base.rule().id());
            if (seen == null) {
                return List.of();
            }
            long t = Long.parseLong(seen);
            if (type == Type.TEMPORAL_ORDERED && t < previous) {
                return List.of();
            }
            previous = t;
            first = Math.min(first, t);
        }
        return fire(event, state, prefix, time, request, group, keys, bases.size(), first,
                (type == Type.TEMPORAL_ORDERED ? "in order: " : "all of: ")
                        + String.join(", ", bases.stream().map(b -> b.rule().title()).toList())
                        + " within " + human(timespanMillis));
    }

    /**
     * The matched bases of an ordered sequence that come after every base before them has been seen (in this
     * group, within the timespan). A base seen before its predecessors cannot be part of the sequence, so it is
     * neither recorded nor counted: on a base as broad as "any allowed request" that is nearly every event. A
     * predecessor logged later with an earlier event time (arriving out of order) is therefore not matched up
     * with it.
     */
    private List<Base> inOrder(List<Base> matched, ExpiringState state, String prefix) {
        List<Base> kept = new ArrayList<>(matched.size());
        int seenBefore = 0; // how many leading bases have been seen, or match this event in order
        for (Base base : matched) {
            int index = bases.indexOf(base);
            while (seenBefore < index && (kept.contains(bases.get(seenBefore))
                    || state.get(prefix + "r|" + bases.get(seenBefore).rule().id()) != null)) {
                seenBefore++;
            }
            if (seenBefore >= index) {
                kept.add(base);
            }
        }
        return kept;
    }

    private List<Alert> firstSeen(AuditEvent event, Digests digests, ExpiringState state, String prefix, long time, String request,
                                  String group, List<EventField> keys) {
        String value = values(event);
        if (value == null) {
            return List.of();
        }
        // The group's baseline lives as long as it is used; a group silent for a whole timespan starts learning anew.
        String start = state.keep(prefix + "start", Long.toString(time), time + timespanMillis);
        long learningSince = start == null ? time : Long.parseLong(start);
        boolean newGroup = start == null;
        // Only whether the value is known matters: an unchanging value lets the refresh rule skip most rewrites.
        boolean known = state.put(prefix + "v|" + digests.of(value), "", time + timespanMillis) != null;
        // A group's first value is its baseline, never news, whatever the learning period.
        if (known || newGroup || time - learningSince < learningMillis) {
            return List.of();
        }
        return List.of(alert(event, request, group, keys, 1, time, "first " + valueNames() + " '" + value + "'"
                + (learningMillis == 0 ? " since " + Instant.ofEpochMilli(learningSince) : " after " + human(learningMillis) + " of learning")));
    }

    private List<Alert> fire(AuditEvent event, ExpiringState state, String prefix, long time, String request,
                             String group, List<EventField> keys, long count, long first, String what) {
        if (!state.putIfAbsent(prefix + "fired", "", time + timespanMillis)) {
            return List.of();
        }
        return List.of(alert(event, request, group, keys, count, first, what));
    }

    private Alert alert(AuditEvent event, String request, String group, List<EventField> keys, long count, long first,
                        String what) {
        String groupText = groupText(keys, event);
        String summary = rule.title() + ": " + what + (groupText.isEmpty() ? "" : " (" + groupText + ")");
        return Alerts.correlated(rule, event, RequestKey.digest(rule.id() + "|" + group + "|" + request, 32), summary,
                description.isBlank() ? summary : description.strip(), count, first);
    }

    private static String groupText(List<EventField> keys, AuditEvent event) {
        return joined(keys, event, false);
    }

    /** The value tuple of value_count and first_seen, or null when the event lacks one of its fields. */
    private String values(AuditEvent event) {
        return joined(valueFields, event, true);
    }

    /**
     * Each field's values joined by "," and the fields by " / "; null if {@code complete} and a field has none.
     * Built in place: every request of a service account builds a few of these.
     */
    private static String joined(List<EventField> fields, AuditEvent event, boolean complete) {
        StringBuilder text = new StringBuilder(64);
        int[] found = new int[1];
        Predicate<String> append = v -> {
            (found[0]++ > 0 ? text.append(',') : text).append(v);
            return false;
        };
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                text.append(" / ");
            }
            found[0] = 0;
            fields.get(i).any(event, append);
            if (complete && found[0] == 0) {
                return null;
            }
        }
        return text.toString();
    }

    private String valueNames() {
        return String.join(" / ", valueNames);
    }

    static String human(long millis) {
        Map<Long, String> units = new TreeMap<>(java.util.Comparator.reverseOrder());
        units.put(86_400_000L, "d");
        units.put(3_600_000L, "h");
        units.put(60_000L, "m");
        units.put(1_000L, "s");
        for (Map.Entry<Long, String> unit : units.entrySet()) {
            if (millis % unit.getKey() == 0 && millis >= unit.getKey()) {
                return (millis / unit.getKey()) + unit.getValue();
            }
        }
        return millis + "ms";
    }
}
