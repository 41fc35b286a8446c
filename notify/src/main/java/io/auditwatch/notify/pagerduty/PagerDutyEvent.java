package io.auditwatch.notify.pagerduty;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditwatch.alert.Alert;
import io.auditwatch.alert.ConsoleFormat;
import io.auditwatch.alert.Level;
import io.auditwatch.event.AuditEventReader;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * An alert as a PagerDuty Events API v2 event. {@code dedup_key} is the alert's dedup key, so repeats of a
 * finding, and redeliveries after a restart, update one incident instead of opening new ones.
 */
public final class PagerDutyEvent {
    /** PagerDuty's limits on {@code payload.summary} and {@code dedup_key}. */
    static final int SUMMARY_MAX = 1024;
    static final int DEDUP_KEY_MAX = 255;
    private static final String CUT = " …[cut]";
    private static final ObjectMapper MAPPER = AuditEventReader.mapper();

    private PagerDutyEvent() {
    }

    public static ObjectNode trigger(Alert alert, String routingKey) {
        ObjectNode event = MAPPER.createObjectNode();
        event.put("routing_key", routingKey);
        event.put("event_action", "trigger");
        event.put("dedup_key", dedupKey(alert));
        event.put("client", "auditwatch");
        ObjectNode payload = event.putObject("payload");
        payload.put("summary", cut(summary(alert), SUMMARY_MAX));
        payload.put("source", alert.cluster() == null ? "auditwatch" : alert.cluster());
        payload.put("severity", severity(alert.rule().level()));
        if (validTimestamp(alert.lastSeen())) {
            payload.put("timestamp", alert.lastSeen());
        }
        payload.put("class", alert.rule().id());
        if (alert.target() != null && alert.target().resource() != null) {
            payload.put("component", alert.target().resource());
        }
        if (alert.target() != null && alert.target().namespace() != null) {
            payload.put("group", alert.target().namespace());
        }
        ObjectNode details = payload.putObject("custom_details");
        details.put("alert_id", alert.id());
        details.set("rule", MAPPER.valueToTree(alert.rule()));
        details.set("identity", MAPPER.valueToTree(alert.identity()));
        details.set("target", MAPPER.valueToTree(alert.target()));
        details.put("explanation", alert.explanation());
        details.set("evidence", MAPPER.valueToTree(alert.evidence()));
        details.put("count", alert.count());
        details.put("first_seen", alert.firstSeen());
        details.put("last_seen", alert.lastSeen());
        return event;
    }

    /** Resolves the incident of the alert's dedup key: the rule declared that its condition cleared. */
    public static ObjectNode resolve(Alert alert, String routingKey) {
        ObjectNode event = MAPPER.createObjectNode();
        event.put("routing_key", routingKey);
        event.put("event_action", "resolve");
        event.put("dedup_key", dedupKey(alert));
        return event;
    }

    private static String dedupKey(Alert alert) {
        return cut(alert.dedupKey() != null ? alert.dedupKey() : alert.id(), DEDUP_KEY_MAX);
    }

    /** PagerDuty has four severities; Sigma's five levels fold onto them. */
    static String severity(Level level) {
        return switch (level) {
            case CRITICAL -> "critical";
            case HIGH -> "error";
            case MEDIUM -> "warning";
            case LOW, INFORMATIONAL -> "info";
        };
    }

    /** One line: PagerDuty shows it in phone notifications and incident lists, so control characters are escaped. */
    private static String summary(Alert alert) {
        return ConsoleFormat.escape("[" + alert.rule().level().json().toUpperCase(Locale.ROOT) + "] "
                + alert.rule().title() + ": " + ConsoleFormat.who(alert) + " — " + alert.summary() + " ("
                + ConsoleFormat.where(alert.target()) + ", cluster " + alert.cluster() + ")"
                + (alert.count() > 1 ? " ×" + alert.count() : ""));
    }

    private static boolean validTimestamp(String s) {
        if (s == null) {
            return false;
        }
        try {
            Instant.parse(s);
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    private static String cut(String s, int max) {
        if (s.length() <= max) {
            return s;
        }
        int end = max - CUT.length();
        if (Character.isHighSurrogate(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, end) + CUT;
    }
}
