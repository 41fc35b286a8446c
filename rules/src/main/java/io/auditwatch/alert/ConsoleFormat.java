package io.auditwatch.alert;

/**
 * One readable line per alert: event time, level, rule, who, what, where, and the auditID to find the request
 * in the raw log. Every string from an audit event is
 * attacker-controlled, so control characters (newlines that forge log lines, ANSI escapes that repaint a
 * terminal) are escaped before printing.
 */
public final class ConsoleFormat {
    private ConsoleFormat() {
    }

    public static String line(Alert alert) {
        return String.format("%s %-13s %-20s who=%s what=%s where=%s auditID=%s cluster=%s count=%d",
                escape(alert.lastSeen()), "[" + alert.rule().level().json().toUpperCase(java.util.Locale.ROOT) + "]",
                alert.rule().id(), escape(who(alert)), escape(alert.summary()), escape(where(alert.target())),
                escape(auditID(alert)), escape(alert.cluster()), alert.count());
    }

    /** The auditID of the latest request in the evidence, unescaped; null when there is none. */
    public static String auditID(Alert alert) {
        if (alert.evidence() == null || alert.evidence().isEmpty()) {
            return null;
        }
        return alert.evidence().get(alert.evidence().size() - 1).auditID();
    }

    /** Who acted, unescaped: the user name, and whom they impersonated. */
    public static String who(Alert alert) {
        return alert.identity() == null ? "?" : alert.identity().username()
                + (alert.identity().impersonatedUser() == null ? "" : " as " + alert.identity().impersonatedUser());
    }

    /** What was touched, unescaped: {@code namespace/resource/subresource name}. */
    public static String where(Alert.Target t) {
        return t == null ? "" : join(t.namespace(), t.resource(), t.subresource(), t.name());
    }

    private static String join(String namespace, String resource, String subresource, String name) {
        StringBuilder sb = new StringBuilder();
        if (namespace != null) {
            sb.append(namespace).append('/');
        }
        sb.append(resource == null ? "-" : resource);
        if (subresource != null) {
            sb.append('/').append(subresource);
        }
        if (name != null) {
            sb.append(' ').append(name);
        }
        return sb.toString();
    }

    /** Escapes control characters (C0, DEL, C1) as \\uXXXX; keeps printable Unicode. */
    public static String escape(String s) {
        if (s == null) {
            return "-";
        }
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029') {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
