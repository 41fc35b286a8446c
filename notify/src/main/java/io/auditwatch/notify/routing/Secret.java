package io.auditwatch.notify.routing;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reads a secret (webhook URL, routing key, HMAC key) from a file or an environment variable. Error messages
 * name the file or variable, never the value.
 */
public final class Secret {
    private Secret() {
    }

    /** Exactly one of {@code file} and {@code envName} must be set; {@code what} names the secret in errors. */
    public static String read(String what, Path file, String envName, Map<String, String> env) {
        if ((file == null) == (envName == null)) {
            throw new RoutingException(what + ": give either a file or an environment variable");
        }
        String value;
        if (file != null) {
            try {
                value = Files.readString(file, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new RoutingException(what + ": cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
            }
            if (value.isEmpty()) {
                throw new RoutingException(what + ": " + file + " is empty");
            }
        } else {
            value = env.get(envName);
            if (value == null || value.isBlank()) {
                throw new RoutingException(what + ": environment variable " + envName + " is not set");
            }
            value = value.strip();
        }
        return value;
    }

    /** A secret that must be an absolute http(s) URL; a bad one is reported without showing it. */
    public static URI readUrl(String what, Path file, String envName, Map<String, String> env) {
        return url(what, read(what, file, envName, env));
    }

    /** Parses an http(s) URL; the error does not repeat the value (it may hold a token). */
    public static URI url(String what, String value) {
        try {
            URI uri = new URI(value);
            if (uri.isAbsolute() && ("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))
                    && uri.getHost() != null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // reported below, without the value
        }
        throw new RoutingException(what + ": not an absolute http(s) URL");
    }
}
