package io.auditwatch.notify.slack;

import io.auditwatch.alert.ConsoleFormat;

/**
 * Makes attacker-controlled strings inert in Slack mrkdwn: {@code & < >} are escaped as Slack asks (so
 * {@code <!channel>} and {@code <https://evil|click>} show as text), control characters are escaped (no forged
 * lines), and values sit in code spans or blocks, where {@code *bold*}, {@code _italic_} and {@code ~strike~}
 * are not applied; a backtick inside a value is replaced by a look-alike so it cannot close the span.
 */
public final class SlackText {
    static final char BACKTICK_LOOKALIKE = '\u02cb';
    public static final String CUT_MARKER = " …[cut]";

    private SlackText() {
    }

    /** {@code & < >} as entities, control characters as {@code \\uXXXX}. */
    public static String escape(String s) {
        return ConsoleFormat.escape(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /** An inline code span holding {@code s}, at most {@code max} characters of escaped text. */
    public static String code(String s, int max) {
        return "`" + cut(escape(s).replace('`', BACKTICK_LOOKALIKE), max) + "`";
    }

    /** A code block holding {@code s}, at most {@code max} characters of escaped text. */
    public static String block(String s, int max) {
        return "```" + cut(escape(s).replace('`', BACKTICK_LOOKALIKE), max) + "```";
    }

    /**
     * {@code s} cut to at most {@code max} characters, ending in {@link #CUT_MARKER} when anything was cut; never
     * inside an entity like {@code &amp;} or a surrogate pair.
     */
    public static String cut(String s, int max) {
        if (s == null || s.length() <= max) {
            return s;
        }
        int end = max - CUT_MARKER.length();
        int amp = s.lastIndexOf('&', end - 1);
        if (amp >= 0 && amp > end - 5 && s.indexOf(';', amp) >= end) {
            end = amp;
        }
        if (Character.isHighSurrogate(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, end) + CUT_MARKER;
    }
}
