package io.auditwatch.notify.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * PagerDuty Events API v2's documented event schema (developer.pagerduty.com, "Send an Alert Event"):
 * routing_key and event_action (trigger, acknowledge, resolve) required; dedup_key at most 255 characters and
 * required unless triggering; a trigger needs payload.summary (at most 1024 characters), payload.source and
 * payload.severity (critical, error, warning, info); payload.timestamp is ISO 8601; custom_details is an object.
 */
public final class PagerDutySchema {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PagerDutySchema() {
    }

    public static List<String> problems(String body) {
        List<String> p = new ArrayList<>();
        JsonNode event;
        try {
            event = JSON.readTree(body);
        } catch (IOException e) {
            return List.of("not JSON");
        }
        SlackSchema.onlyKeys(p, "event", event, Set.of("routing_key", "event_action", "dedup_key", "payload",
                "images", "links", "client", "client_url"));
        if (!event.path("routing_key").isTextual() || event.path("routing_key").asText().isEmpty()) {
            p.add("routing_key is required");
        }
        String action = event.path("event_action").asText();
        if (!Set.of("trigger", "acknowledge", "resolve").contains(action)) {
            p.add("event_action must be trigger, acknowledge or resolve, is '" + action + "'");
        }
        JsonNode dedup = event.path("dedup_key");
        if (dedup.isMissingNode() ? !"trigger".equals(action) : !dedup.isTextual() || dedup.asText().length() > 255) {
            p.add("dedup_key must be a string of at most 255 characters (required unless triggering)");
        }
        if ("trigger".equals(action)) {
            JsonNode payload = event.path("payload");
            SlackSchema.onlyKeys(p, "payload", payload, Set.of("summary", "source", "severity", "timestamp",
                    "component", "group", "class", "custom_details"));
            String summary = payload.path("summary").asText("");
            if (summary.isEmpty() || summary.length() > 1024) {
                p.add("payload.summary must be 1..1024 characters, is " + summary.length());
            }
            if (payload.path("source").asText("").isEmpty()) {
                p.add("payload.source is required");
            }
            if (!Set.of("critical", "error", "warning", "info").contains(payload.path("severity").asText())) {
                p.add("payload.severity must be critical, error, warning or info");
            }
            if (payload.has("timestamp")) {
                try {
                    OffsetDateTime.parse(payload.path("timestamp").asText());
                } catch (DateTimeParseException e) {
                    p.add("payload.timestamp must be ISO 8601");
                }
            }
            if (payload.has("custom_details") && !payload.path("custom_details").isObject()) {
                p.add("payload.custom_details must be an object");
            }
        }
        return p;
    }
}
