package io.auditwatch.language;

import io.auditwatch.event.AuditEvent;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The command of an exec request, words joined by spaces: kubectl sends each word as a {@code command} query
 * parameter of the request URI; some exports carry it as {@code requestObject.command} instead.
 */
public final class ExecCommand {
    private ExecCommand() {
    }

    public static String of(AuditEvent e) {
        if (e.objectRef == null || !"exec".equals(e.subresource())) {
            return null;
        }
        List<String> words = new ArrayList<>();
        String uri = e.requestURI;
        int query = uri == null ? -1 : uri.indexOf('?');
        if (query >= 0) {
            for (String param : uri.substring(query + 1).split("&")) {
                if (param.startsWith("command=")) {
                    try {
                        words.add(URLDecoder.decode(param.substring("command=".length()), StandardCharsets.UTF_8));
                    } catch (IllegalArgumentException malformed) {
                        words.add(param.substring("command=".length()));
                    }
                }
            }
        }
        if (words.isEmpty() && e.requestObject != null && e.requestObject.path("command").isArray()) {
            e.requestObject.path("command").forEach(w -> words.add(w.asText()));
        }
        return words.isEmpty() ? null : String.join(" ", words);
    }
}
