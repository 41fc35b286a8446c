package io.auditwatch.investigate;

import io.auditwatch.alert.Alert;
import io.auditwatch.alert.ConsoleFormat;
import io.auditwatch.alert.Level;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Counts of the reported alerts by level, rule, identity and namespace, for the end summary and the report. */
public final class AlertTally implements Consumer<Alert> {
    private final Map<Level, Long> byLevel = new EnumMap<>(Level.class);
    private final Map<String, Long> byRule = new HashMap<>();
    private final Map<String, Long> byIdentity = new HashMap<>();
    private final Map<String, Long> byNamespace = new HashMap<>();
    private long total;

    @Override
    public void accept(Alert alert) {
        total++;
        byLevel.merge(alert.rule().level(), 1L, Long::sum);
        byRule.merge(alert.rule().id(), 1L, Long::sum);
        byIdentity.merge(ConsoleFormat.who(alert), 1L, Long::sum);
        String namespace = alert.target() == null ? null : alert.target().namespace();
        byNamespace.merge(namespace == null ? "(cluster-wide)" : namespace, 1L, Long::sum);
    }

    public long total() {
        return total;
    }

    /** Highest level first, only the levels that occurred. */
    public List<Map.Entry<String, Long>> byLevel() {
        List<Map.Entry<String, Long>> out = new ArrayList<>();
        Level[] levels = Level.values();
        for (int i = levels.length - 1; i >= 0; i--) {
            Long n = byLevel.get(levels[i]);
            if (n != null) {
                out.add(Map.entry(levels[i].json(), n));
            }
        }
        return out;
    }

    public List<Map.Entry<String, Long>> topRules(int n) {
        return top(byRule, n);
    }

    public List<Map.Entry<String, Long>> topIdentities(int n) {
        return top(byIdentity, n);
    }

    public List<Map.Entry<String, Long>> topNamespaces(int n) {
        return top(byNamespace, n);
    }

    public int rules() {
        return byRule.size();
    }

    public int identities() {
        return byIdentity.size();
    }

    /** Most first, then by name, so the same input prints the same summary. */
    private static List<Map.Entry<String, Long>> top(Map<String, Long> counts, int n) {
        return counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
                        .thenComparing(Map.Entry.comparingByKey()))
                .limit(n).map(e -> Map.entry(e.getKey(), e.getValue())).toList();
    }

    /** The end summary's lines; identities are attacker-controlled and escaped. */
    public List<String> lines(int top) {
        if (total == 0) {
            return List.of("no alerts reported");
        }
        return List.of(
                "alerts by level: " + join(byLevel()),
                "top rules (" + rules() + "): " + join(topRules(top)),
                "top identities (" + identities() + "): " + join(topIdentities(top)));
    }

    private static String join(List<Map.Entry<String, Long>> entries) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Long> e : entries) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(ConsoleFormat.escape(e.getKey())).append(' ').append(e.getValue());
        }
        return sb.toString();
    }
}
