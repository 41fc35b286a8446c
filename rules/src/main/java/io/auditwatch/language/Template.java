package io.auditwatch.language;

import io.auditwatch.event.AuditEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * A rule's summary or explanation with {@code {field.path}} placeholders, filled from the event;
 * {@code {field.path|text}} gives the text to use when the field is absent (else {@code -}). Compiled once.
 * The result holds attacker-controlled strings: whoever renders an alert escapes it.
 */
final class Template {
    private final List<Object> parts;

    private Template(List<Object> parts) {
        this.parts = parts;
    }

    private record Slot(EventField field, String absent) {
    }

    static Template compile(String text) {
        return compile("", text);
    }

    /** {@code literal} verbatim (a title, a description: braces there are text), then the template. */
    static Template compile(String literal, String text) {
        List<Object> parts = new ArrayList<>();
        if (!literal.isEmpty()) {
            parts.add(literal);
        }
        int at = 0;
        while (at < text.length()) {
            int open = text.indexOf('{', at);
            if (open < 0) {
                parts.add(text.substring(at));
                break;
            }
            int close = text.indexOf('}', open);
            if (close < 0) {
                throw new IllegalArgumentException("'{' without '}' at offset " + open);
            }
            if (open > at) {
                parts.add(text.substring(at, open));
            }
            String inside = text.substring(open + 1, close);
            int bar = inside.indexOf('|');
            String path = bar < 0 ? inside : inside.substring(0, bar);
            parts.add(new Slot(EventField.of(path.trim()), bar < 0 ? "-" : inside.substring(bar + 1)));
            at = close + 1;
        }
        return new Template(List.copyOf(parts));
    }

    String render(AuditEvent event) {
        StringBuilder out = new StringBuilder();
        for (Object part : parts) {
            if (part instanceof Slot slot) {
                List<String> values = EventField.values(slot.field(), event);
                out.append(values.isEmpty() ? slot.absent() : String.join(", ", values));
            } else {
                out.append((String) part);
            }
        }
        return out.toString();
    }
}
