package io.auditwatch.notify.slack;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditwatch.alert.Alert;
import io.auditwatch.alert.ConsoleFormat;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * An alert as a Slack Block Kit message for an incoming webhook: a header (level and rule title), who / what /
 * where / cluster as fields, the explanation, the evidence auditIDs, and a plain-text fallback for
 * notifications. Cut to Block Kit's limits (header 150, field 2000, section 3000 characters).
 */
public final class SlackMessage {
    static final int HEADER_MAX = 150;
    static final int FIELD_VALUE_MAX = 300;
    static final int EXPLANATION_MAX = 2500;
    static final int EVIDENCE_IDS_MAX = 10;
    static final int AUDIT_ID_MAX = 64;
    static final int FALLBACK_VALUE_MAX = 200;

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private SlackMessage() {
    }

    public static ObjectNode payload(Alert alert) {
        ObjectNode message = JSON.objectNode();
        message.put("text", fallback(alert));
        ArrayNode blocks = message.putArray("blocks");

        ObjectNode header = blocks.addObject().put("type", "header");
        header.putObject("text").put("type", "plain_text").put("emoji", false)
                .put("text", SlackText.cut(ConsoleFormat.escape(level(alert) + " · " + alert.rule().title()
                        + (alert.count() > 1 ? " (×" + alert.count() + ")" : "")), HEADER_MAX));

        ObjectNode fields = blocks.addObject().put("type", "section");
        ArrayNode list = fields.putArray("fields");
        field(list, "Who", ConsoleFormat.who(alert));
        field(list, "What", alert.summary());
        field(list, "Where", ConsoleFormat.where(alert.target()));
        field(list, "Cluster", alert.cluster());

        if (alert.explanation() != null) {
            blocks.addObject().put("type", "section").putObject("text").put("type", "mrkdwn")
                    .put("text", SlackText.block(alert.explanation(), EXPLANATION_MAX));
        }
        blocks.addObject().put("type", "context").putArray("elements").addObject().put("type", "mrkdwn")
                .put("text", context(alert));
        return message;
    }

    private static void field(ArrayNode fields, String label, String value) {
        fields.addObject().put("type", "mrkdwn").put("text", "*" + label + "*\n" + SlackText.code(value, FIELD_VALUE_MAX));
    }

    private static String context(Alert alert) {
        List<Alert.Evidence> evidence = alert.evidence() == null ? List.of() : alert.evidence();
        String ids = evidence.stream().limit(EVIDENCE_IDS_MAX)
                .map(e -> SlackText.code(e.auditID(), AUDIT_ID_MAX)).collect(Collectors.joining(" "));
        StringBuilder text = new StringBuilder("Evidence auditIDs: ").append(ids.isEmpty() ? "none" : ids);
        if (evidence.size() > EVIDENCE_IDS_MAX) {
            text.append(" … and ").append(evidence.size() - EVIDENCE_IDS_MAX).append(" more");
        }
        text.append(" · rule ").append(SlackText.code(alert.rule().id(), FIELD_VALUE_MAX));
        if (alert.count() > 1) {
            text.append(" · seen ").append(alert.count()).append(" times, first ")
                    .append(SlackText.code(alert.firstSeen(), 40)).append(", last ")
                    .append(SlackText.code(alert.lastSeen(), 40));
        } else {
            text.append(alert.resolved() ? " · cleared at " : " · at ").append(SlackText.code(alert.lastSeen(), 40));
        }
        return text.toString();
    }

    /** What a phone notification shows: mrkdwn too, so escaped, but without code spans. */
    private static String fallback(Alert alert) {
        return "[" + level(alert) + "] " + SlackText.escape(alert.rule().title()) + ": "
                + SlackText.escape(SlackText.cut(ConsoleFormat.who(alert), FALLBACK_VALUE_MAX)) + " — "
                + SlackText.escape(SlackText.cut(alert.summary(), FALLBACK_VALUE_MAX)) + " (cluster "
                + SlackText.escape(SlackText.cut(alert.cluster(), FALLBACK_VALUE_MAX)) + ")"
                + (alert.count() > 1 ? " ×" + alert.count() : "");
    }

    /** The level, or RESOLVED when the rule declared that the condition cleared. */
    private static String level(Alert alert) {
        return alert.resolved() ? "RESOLVED" : alert.rule().level().json().toUpperCase(Locale.ROOT);
    }
}
