package io.auditwatch.notify.routing;

import io.auditwatch.alert.Alert;
import io.auditwatch.alert.Level;
import java.util.List;
import java.util.Set;

/**
 * Alerts at or above {@code minLevel}, of these rules, in these namespaces and clusters (an empty set matches
 * anything) go to the destinations in {@code to}.
 */
public record Route(Level minLevel, Set<String> rules, Set<String> namespaces, Set<String> clusters, List<String> to) {
    public Route {
        minLevel = minLevel == null ? Level.INFORMATIONAL : minLevel;
        rules = rules == null ? Set.of() : Set.copyOf(rules);
        namespaces = namespaces == null ? Set.of() : Set.copyOf(namespaces);
        clusters = clusters == null ? Set.of() : Set.copyOf(clusters);
        to = to == null ? List.of() : List.copyOf(to);
    }

    public static Route atLeast(Level level, String destination) {
        return new Route(level, null, null, null, List.of(destination));
    }

    public boolean matches(Alert alert) {
        String namespace = alert.target() == null ? null : alert.target().namespace();
        return alert.rule().level().compareTo(minLevel) >= 0
                && (rules.isEmpty() || rules.contains(alert.rule().id()))
                && (namespaces.isEmpty() || namespaces.contains(namespace))
                && (clusters.isEmpty() || clusters.contains(alert.cluster()));
    }
}
