package io.auditwatch.notify.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The parts of Slack's documented Block Kit schema that an incoming-webhook message uses
 * (api.slack.com/reference/block-kit): at most 50 blocks; header text plain_text of at most 150 characters;
 * section text at most 3000, at most 10 fields of at most 2000; context at most 10 elements; text objects
 * with only type, text and emoji (plain_text) or verbatim (mrkdwn). A message with blocks should carry a
 * top-level {@code text} fallback.
 */
public final class SlackSchema {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SlackSchema() {
    }

    public static List<String> problems(String body) {
        List<String> p = new ArrayList<>();
        JsonNode message;
        try {
            message = JSON.readTree(body);
        } catch (IOException e) {
            return List.of("not JSON");
        }
        onlyKeys(p, "message", message, Set.of("text", "blocks"));
        if (!message.path("text").isTextual() || message.path("text").asText().isBlank()) {
            p.add("text (the fallback) must be a non-empty string");
        }
        JsonNode blocks = message.path("blocks");
        if (!blocks.isArray() || blocks.isEmpty() || blocks.size() > 50) {
            p.add("blocks must be an array of 1..50");
            return p;
        }
        for (JsonNode block : blocks) {
            String type = block.path("type").asText();
            switch (type) {
                case "header" -> {
                    onlyKeys(p, "header", block, Set.of("type", "text", "block_id"));
                    text(p, "header.text", block.path("text"), Set.of("plain_text"), 150);
                }
                case "section" -> {
                    onlyKeys(p, "section", block, Set.of("type", "text", "fields", "block_id"));
                    if (!block.has("text") && !block.has("fields")) {
                        p.add("section needs text or fields");
                    }
                    if (block.has("text")) {
                        text(p, "section.text", block.path("text"), Set.of("plain_text", "mrkdwn"), 3000);
                    }
                    if (block.has("fields")) {
                        if (!block.path("fields").isArray() || block.path("fields").size() > 10) {
                            p.add("section.fields must be an array of at most 10");
                        }
                        block.path("fields").forEach(f -> text(p, "section.field", f, Set.of("plain_text", "mrkdwn"), 2000));
                    }
                }
                case "context" -> {
                    onlyKeys(p, "context", block, Set.of("type", "elements", "block_id"));
                    JsonNode elements = block.path("elements");
                    if (!elements.isArray() || elements.isEmpty() || elements.size() > 10) {
                        p.add("context.elements must be an array of 1..10");
                    }
                    elements.forEach(e -> text(p, "context.element", e, Set.of("plain_text", "mrkdwn"), 3000));
                }
                case "divider" -> onlyKeys(p, "divider", block, Set.of("type", "block_id"));
                default -> p.add("unknown block type '" + type + "'");
            }
        }
        return p;
    }

    private static void text(List<String> p, String where, JsonNode text, Set<String> types, int max) {
        String type = text.path("type").asText();
        if (!types.contains(type)) {
            p.add(where + ".type must be one of " + types + ", is '" + type + "'");
        }
        onlyKeys(p, where, text, "plain_text".equals(type) ? Set.of("type", "text", "emoji") : Set.of("type", "text", "verbatim"));
        if (!text.path("text").isTextual() || text.path("text").asText().isEmpty()) {
            p.add(where + ".text must be a non-empty string");
        } else if (text.path("text").asText().length() > max) {
            p.add(where + ".text is " + text.path("text").asText().length() + " characters, more than " + max);
        }
    }

    static void onlyKeys(List<String> p, String where, JsonNode node, Set<String> allowed) {
        if (!node.isObject()) {
            p.add(where + " must be an object");
            return;
        }
        node.fieldNames().forEachRemaining(k -> {
            if (!allowed.contains(k)) {
                p.add(where + " has unknown key '" + k + "'");
            }
        });
    }
}
