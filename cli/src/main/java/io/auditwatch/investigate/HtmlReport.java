package io.auditwatch.investigate;

import io.auditwatch.alert.Alert;
import io.auditwatch.alert.ConsoleFormat;
import io.auditwatch.replay.ReplaySummary;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The investigation as one self-contained HTML page (CSS and script inline, nothing fetched): counts by level,
 * rule and namespace; the alerts grouped by identity on a timeline, each with its explanation and evidence, and
 * what the identity did in the hour around them; the node graph's view of each node involved. Every string that
 * came from an audit event is attacker-controlled and goes through {@link #html}; the script only shows and
 * hides sections by number and reads no text.
 */
public final class HtmlReport {
    private static final String CSS = """
            body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1d2330;background:#fff}
            h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:28px 0 8px;border-bottom:2px solid #d7dce5}
            h3{font-size:16px;margin:18px 0 6px}table{border-collapse:collapse;margin:6px 0 12px}
            td,th{border:1px solid #d7dce5;padding:3px 8px;text-align:left;vertical-align:top}
            th{background:#eef1f6}code{font:12px ui-monospace,monospace;word-break:break-all}
            .meta{color:#555}.counts{display:flex;gap:28px;flex-wrap:wrap;align-items:flex-start}
            .alert{border-left:6px solid #999;padding:4px 10px;margin:8px 0;background:#f7f8fa}
            .critical{border-color:#7a0010}.high{border-color:#d22}.medium{border-color:#e69500}
            .low{border-color:#3a7bd5}.informational{border-color:#999}
            .lvl{font-weight:bold;text-transform:uppercase}svg{background:#f7f8fa;border:1px solid #d7dce5}
            select{font-size:14px;margin:4px 0 10px}
            """;
    private static final String SCRIPT = """
            function pick(group, index) {
              document.querySelectorAll('[data-group="' + group + '"]').forEach(function (section) {
                section.hidden = section.getAttribute('data-index') !== String(index);
              });
            }
            document.querySelectorAll('select[data-picks]').forEach(function (select) {
              select.addEventListener('change', function () { pick(select.getAttribute('data-picks'), select.value); });
              pick(select.getAttribute('data-picks'), select.value);
            });
            """;
    private static final Map<String, String> COLORS = Map.of("critical", "#7a0010", "high", "#d22", "medium",
            "#e69500", "low", "#3a7bd5", "informational", "#999");

    private HtmlReport() {
    }

    /**
     * @param title     what was replayed (inputs, filters), for the heading
     * @param alerts    the reported alerts
     * @param coverage  the node graph's verdict counts by {@code node|verdict}
     */
    public static String render(String title, List<Alert> alerts, AlertTally tally, ReplaySummary summary,
                                Activity activity, List<String> nodes, Map<String, Long> coverage) {
        StringBuilder h = new StringBuilder(64 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline';"
                        + " script-src 'unsafe-inline'; img-src data:\">")
                .append("<title>auditwatch investigation</title><style>").append(CSS).append("</style></head><body>\n");
        h.append("<h1>auditwatch investigation</h1><p class=\"meta\">").append(html(title)).append("<br>")
                .append(html(summary.line())).append("<br>").append(html(summary.coverageLine())).append("</p>\n");
        counts(h, tally);
        identities(h, alerts, activity);
        nodes(h, nodes, activity, coverage, alerts);
        h.append("<script>").append(SCRIPT).append("</script></body></html>\n");
        return h.toString();
    }

    private static void counts(StringBuilder h, AlertTally tally) {
        h.append("<h2>Counts</h2><div class=\"counts\">");
        table(h, "By level", tally.byLevel());
        table(h, "By rule", tally.topRules(Integer.MAX_VALUE));
        table(h, "By namespace", tally.topNamespaces(Integer.MAX_VALUE));
        h.append("</div>\n");
    }

    private static void table(StringBuilder h, String caption, List<Map.Entry<String, Long>> rows) {
        h.append("<table><tr><th>").append(caption).append("</th><th>alerts</th></tr>");
        for (Map.Entry<String, Long> e : rows) {
            h.append("<tr><td>").append(html(e.getKey())).append("</td><td>").append(e.getValue()).append("</td></tr>");
        }
        h.append("</table>");
    }

    private static void identities(StringBuilder h, List<Alert> alerts, Activity activity) {
        h.append("<h2>Alerts by identity</h2>\n");
        if (alerts.isEmpty()) {
            h.append("<p>No alerts were reported.</p>\n");
            return;
        }
        Map<String, List<Alert>> byIdentity = new TreeMap<>();
        for (Alert a : alerts) {
            byIdentity.computeIfAbsent(a.identity() == null ? "?" : a.identity().username(), k -> new ArrayList<>()).add(a);
        }
        long from = alerts.stream().mapToLong(a -> millis(a.firstSeen())).min().orElse(0);
        long to = alerts.stream().mapToLong(a -> millis(a.lastSeen())).max().orElse(from);
        List<String> names = new ArrayList<>(byIdentity.keySet());
        names.sort(Comparator.comparingInt((String n) -> -byIdentity.get(n).size()).thenComparing(n -> n));
        h.append("<label>Identity <select data-picks=\"identity\">");
        for (int i = 0; i < names.size(); i++) {
            h.append("<option value=\"").append(i).append("\">").append(html(names.get(i))).append(" (")
                    .append(byIdentity.get(names.get(i)).size()).append(")</option>");
        }
        h.append("</select></label>\n");
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            List<Alert> own = byIdentity.get(name);
            own.sort(Comparator.comparing(Alert::lastSeen, Comparator.nullsFirst(Comparator.naturalOrder())));
            h.append("<section data-group=\"identity\" data-index=\"").append(i).append("\"><h3>")
                    .append(html(name)).append("</h3>\n");
            timeline(h, own, from, to);
            for (Alert a : own) {
                alert(h, a);
            }
            h.append("<h4>Everything ").append(html(name)).append(" did in the hour around its alerts</h4>");
            rows(h, activity.of(name), activity.leftOut(name), false);
            h.append("</section>\n");
        }
    }

    /** The identity's alerts as dots on the report's time axis, coloured by level. */
    private static void timeline(StringBuilder h, List<Alert> alerts, long from, long to) {
        int width = 900;
        double span = Math.max(1, to - from);
        h.append("<svg width=\"").append(width).append("\" height=\"46\" role=\"img\" aria-label=\"timeline\">")
                .append("<line x1=\"10\" y1=\"24\" x2=\"").append(width - 10).append("\" y2=\"24\" stroke=\"#888\"/>");
        for (Alert a : alerts) {
            double x = 10 + (width - 20) * (millis(a.lastSeen()) - from) / span;
            h.append("<circle cx=\"").append(String.format("%.1f", x)).append("\" cy=\"24\" r=\"7\" fill=\"")
                    .append(COLORS.get(a.rule().level().json())).append("\"><title>").append(html(a.lastSeen()))
                    .append(' ').append(html(a.rule().id())).append(": ").append(html(a.summary()))
                    .append("</title></circle>");
        }
        h.append("<text x=\"10\" y=\"44\" font-size=\"11\">").append(html(Instant.ofEpochMilli(from).toString()))
                .append("</text><text x=\"").append(width - 10).append("\" y=\"44\" font-size=\"11\" text-anchor=\"end\">")
                .append(html(Instant.ofEpochMilli(to).toString())).append("</text></svg>\n");
    }

    private static void alert(StringBuilder h, Alert a) {
        String level = a.rule().level().json();
        h.append("<div class=\"alert ").append(level).append("\"><span class=\"lvl\">").append(level)
                .append("</span> ").append(html(a.lastSeen())).append(" <b>").append(html(a.rule().title()))
                .append("</b> <code>").append(html(a.rule().id())).append("</code><br>").append(html(a.summary()))
                .append("<br><i>Target:</i> <code>").append(html(ConsoleFormat.where(a.target())))
                .append("</code> <i>cluster</i> ").append(html(a.cluster())).append(" <i>count</i> ").append(a.count())
                .append("<p>").append(html(a.explanation())).append("</p>");
        if (a.evidence() != null && !a.evidence().isEmpty()) {
            h.append("<details><summary>Evidence (").append(a.evidence().size()).append(")</summary><table><tr>")
                    .append("<th>time</th><th>auditID</th><th>verb</th><th>request</th><th>code</th><th>source</th>")
                    .append("<th>user agent</th></tr>");
            for (Alert.Evidence e : a.evidence()) {
                h.append("<tr><td>").append(html(e.requestReceivedTimestamp())).append("</td><td><code>")
                        .append(html(e.auditID())).append("</code></td><td>").append(html(e.verb()))
                        .append("</td><td><code>").append(html(e.requestURI())).append("</code></td><td>")
                        .append(e.code() == null ? "" : e.code()).append("</td><td>")
                        .append(html(e.sourceIPs() == null ? null : String.join(", ", e.sourceIPs())))
                        .append("</td><td>").append(html(e.userAgent())).append("</td></tr>");
            }
            h.append("</table></details>");
        }
        h.append("</div>\n");
    }

    private static void rows(StringBuilder h, List<Activity.Row> rows, long leftOut, boolean withUser) {
        if (rows.isEmpty()) {
            h.append("<p>No requests found in the log.</p>");
            return;
        }
        h.append("<table><tr><th>time</th>").append(withUser ? "<th>who</th>" : "")
                .append("<th>verb</th><th>target</th><th>code</th><th>auditID</th><th>source</th><th>user agent</th></tr>");
        for (Activity.Row r : rows) {
            h.append("<tr><td>").append(Instant.ofEpochMilli(r.time())).append("</td>");
            if (withUser) {
                h.append("<td>").append(html(r.username())).append("</td>");
            }
            h.append("<td>").append(html(r.verb())).append("</td><td><code>").append(html(r.target()))
                    .append("</code></td><td>").append(r.code() == null ? "" : r.code()).append("</td><td><code>")
                    .append(html(r.auditID())).append("</code></td><td>").append(html(r.sourceIP()))
                    .append("</td><td>").append(html(r.userAgent())).append("</td></tr>");
        }
        h.append("</table>");
        if (leftOut > 0) {
            h.append("<p>… and ").append(leftOut).append(" more requests, left out.</p>");
        }
    }

    private static void nodes(StringBuilder h, List<String> nodes, Activity activity, Map<String, Long> coverage,
                              List<Alert> alerts) {
        h.append("<h2>Node graph</h2>\n");
        if (nodes.isEmpty()) {
            h.append("<p>No node credential was involved.</p>\n");
            return;
        }
        Map<String, List<String>> alertsByAuditId = new LinkedHashMap<>();
        for (Alert a : alerts) {
            if (a.evidence() != null) {
                a.evidence().forEach(e -> alertsByAuditId.computeIfAbsent(e.auditID(), k -> new ArrayList<>())
                        .add(a.rule().id()));
            }
        }
        h.append("<label>Node <select data-picks=\"node\">");
        for (int i = 0; i < nodes.size(); i++) {
            h.append("<option value=\"").append(i).append("\">").append(html(nodes.get(i))).append("</option>");
        }
        h.append("</select></label>\n");
        for (int i = 0; i < nodes.size(); i++) {
            String node = nodes.get(i);
            h.append("<section data-group=\"node\" data-index=\"").append(i).append("\"><h3>Node ")
                    .append(html(node)).append("</h3><p><i>Verdicts on its credentials' accesses:</i> ");
            for (String verdict : List.of("related", "unrelated", "unknown")) {
                h.append(verdict).append(' ').append(coverage.getOrDefault(node + "|" + verdict, 0L)).append(" &nbsp; ");
            }
            h.append("</p><h4>Pods bound to it in the log</h4>");
            if (activity.podsOn(node).isEmpty()) {
                h.append("<p>None seen (pods older than the log need --inventory).</p>");
            } else {
                h.append("<ul>");
                activity.podsOn(node).forEach(p -> h.append("<li><code>").append(html(p)).append("</code></li>"));
                h.append("</ul>");
            }
            h.append("<h4>What its credentials touched</h4>");
            List<Activity.Row> touched = activity.accessesBy(node);
            rows(h, touched, activity.leftOut(node), true);
            List<String> flagged = new ArrayList<>();
            for (Activity.Row r : touched) {
                List<String> rules = alertsByAuditId.get(r.auditID());
                if (rules != null) {
                    flagged.add(r.auditID() + " → " + String.join(", ", rules));
                }
            }
            if (!flagged.isEmpty()) {
                h.append("<p><i>Alerted:</i> ");
                flagged.forEach(f -> h.append("<code>").append(html(f)).append("</code> "));
                h.append("</p>");
            }
            h.append("</section>\n");
        }
    }

    private static long millis(String time) {
        return time == null ? 0 : Instant.parse(time).toEpochMilli();
    }

    /** Escapes for HTML text and quoted attributes; control characters as in the console, visibly. */
    static String html(String s) {
        if (s == null) {
            return "";
        }
        String visible = ConsoleFormat.escape(s);
        StringBuilder out = new StringBuilder(visible.length() + 16);
        for (int i = 0; i < visible.length(); i++) {
            char c = visible.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
