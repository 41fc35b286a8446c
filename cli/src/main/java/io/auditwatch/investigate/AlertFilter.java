package io.auditwatch.investigate;

import io.auditwatch.alert.Alert;
import io.auditwatch.alert.Level;
import io.auditwatch.language.Glob;
import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;

/**
 * Which alerts an investigation reports: an event-time window and globs on identity, namespace, node and rule,
 * and a lowest level. It picks what is shown only; every event still builds the state the detections need.
 * Each list matches when any of its globs does; an empty list matches everything.
 */
public record AlertFilter(Instant since, Instant until, List<String> identities, List<String> namespaces,
                          List<String> nodes, List<String> rules, Level minLevel) implements Predicate<Alert> {
    public AlertFilter {
        identities = List.copyOf(identities);
        namespaces = List.copyOf(namespaces);
        nodes = List.copyOf(nodes);
        rules = List.copyOf(rules);
    }

    @Override
    public boolean test(Alert alert) {
        if (minLevel != null && alert.rule().level().compareTo(minLevel) < 0) {
            return false;
        }
        // A finding overlapping the window is in it: its first or last request, or both, fall inside.
        if (since != null && alert.lastSeen() != null && Instant.parse(alert.lastSeen()).isBefore(since)) {
            return false;
        }
        if (until != null && alert.firstSeen() != null && !Instant.parse(alert.firstSeen()).isBefore(until)) {
            return false;
        }
        Alert.AlertIdentity who = alert.identity();
        return matches(identities, who == null ? null : who.username(), who == null ? null : who.impersonatedUser())
                && matches(namespaces, alert.target() == null ? null : alert.target().namespace())
                && matches(nodes, who == null ? null : who.node())
                && matches(rules, alert.rule().id());
    }

    /** The filters in force, as the command line gave them; empty for none. */
    public String describe() {
        List<String> parts = new java.util.ArrayList<>();
        if (since != null) {
            parts.add("--since " + since);
        }
        if (until != null) {
            parts.add("--until " + until);
        }
        if (!identities.isEmpty()) {
            parts.add("--identity " + String.join(",", identities));
        }
        if (!namespaces.isEmpty()) {
            parts.add("--namespace " + String.join(",", namespaces));
        }
        if (!nodes.isEmpty()) {
            parts.add("--node " + String.join(",", nodes));
        }
        if (!rules.isEmpty()) {
            parts.add("--rule " + String.join(",", rules));
        }
        if (minLevel != null) {
            parts.add("--min-level " + minLevel.json());
        }
        return String.join(" ", parts);
    }

    private static boolean matches(List<String> globs, String... values) {
        if (globs.isEmpty()) {
            return true;
        }
        for (String glob : globs) {
            Predicate<String> match = Glob.compile(glob, true);
            for (String value : values) {
                if (value != null && match.test(value)) {
                    return true;
                }
            }
        }
        return false;
    }
}
