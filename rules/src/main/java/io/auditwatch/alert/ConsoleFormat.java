package io.auditwatch.alert;

/**
 * One readable line per alert: level, rule, who, what, where. Every string from an audit event is
 * attacker-controlled, so control characters (newlines that forge log lines, ANSI escapes that repaint a
 * terminal) are escaped before printing.
 */
public final class ConsoleFormat {
    private ConsoleFormat() {
    }

    public static String line(Alert alert) {
        return String.format("%-13s %-20s who=%s what=%s where=%s cluster=%s count=%d",
                "[" + alert.rule().level().json().toUpperCase(java.util.Locale.ROOT) + "]",
                alert.rule().id(), escape(who(alert)), escape(alert.summary()), escape(where(alert.target())),
                escape(alert.cluster()), alert.count());
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
