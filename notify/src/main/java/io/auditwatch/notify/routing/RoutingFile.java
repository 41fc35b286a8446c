package io.auditwatch.notify.routing;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.auditwatch.alert.AlertFormat;
import io.auditwatch.alert.Level;
import io.auditwatch.notify.delivery.Destination;
import io.auditwatch.notify.pagerduty.PagerDutyDestination;
import io.auditwatch.notify.slack.SlackDestination;
import io.auditwatch.notify.webhook.WebhookDestination;
import java.io.IOException;

import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The routing file (YAML): named destinations, each with its secrets in a file or an environment variable,
 * and routes from alerts to destinations. See docs/alerting.md for an example. Unknown keys are errors, so a
 * typo does not silently route nothing.
 */
public final class RoutingFile {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    record DestinationSpec(String name, String type, String urlFile, String urlEnv, String routingKeyFile,
                           String routingKeyEnv, String hmacKeyFile, String hmacKeyEnv, String baseUrl,
                           String minInterval, String format) {
    }

    record RouteSpec(String minLevel, List<String> rules, List<String> namespaces, List<String> clusters,
                     List<String> to) {
    }

    record FileSpec(List<DestinationSpec> destinations, List<RouteSpec> routes) {
    }

    record RoutesSpec(List<RouteSpec> routes) {
    }

    private RoutingFile() {
    }

    public static Plan load(Path file, Map<String, String> env) {
        String source = "routing file " + file;
        FileSpec spec = parse(source, () -> YAML.readValue(file.toFile(), FileSpec.class));
        if (spec == null || spec.destinations() == null || spec.routes() == null) {
            throw new RoutingException(source + ": needs 'destinations' and 'routes'");
        }
        List<Destination> destinations = new ArrayList<>();
        for (DestinationSpec d : spec.destinations()) {
            destinations.add(destination(source, d, env));
        }
        return new Plan(destinations, routes(source, spec.routes()));
    }

    /**
     * Routes alone, {@code routes: [...]} as in the routing file: the run-time tuning read from
     * {@code auditwatch.routes}. {@code source} names where the text came from in errors.
     */
    public static Routing routes(String source, String yaml) {
        RoutesSpec spec = parse(source, () -> YAML.readValue(yaml, RoutesSpec.class));
        if (spec == null || spec.routes() == null) {
            throw new RoutingException(source + ": needs 'routes'");
        }
        return routes(source, spec.routes());
    }

    private interface Reader<T> {
        T read() throws IOException;
    }

    private static <T> T parse(String source, Reader<T> reader) {
        try {
            return reader.read();
        } catch (JsonMappingException e) {
            // Only where: the message of a mapping error can quote the value, and values can be secrets.
            throw new RoutingException(source + ": invalid or unknown key at "
                    + e.getPath().stream()
                    .map(r -> r.getFieldName() != null ? "." + r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining()) + (e.getLocation() == null ? ""
                    : " (line " + e.getLocation().getLineNr() + ")"));
        } catch (IOException e) {
            throw new RoutingException(source + ": " + firstLine(e.getMessage()));
        }
    }

    private static Routing routes(String source, List<RouteSpec> specs) {
        List<Route> routes = new ArrayList<>();
        for (RouteSpec r : specs) {
            if (r.to() == null || r.to().isEmpty()) {
                throw new RoutingException(source + ": every route needs 'to'");
            }
            routes.add(new Route(level(source, r.minLevel()), set(r.rules()), set(r.namespaces()),
                    set(r.clusters()), r.to()));
        }
        return new Routing(routes);
    }

    private static Destination destination(String source, DestinationSpec d, Map<String, String> env) {
        if (d.name() == null || d.type() == null) {
            throw new RoutingException(source + ": every destination needs 'name' and 'type'");
        }
        String what = "destination '" + d.name() + "'";
        Duration minInterval = duration(source, what, d.minInterval());
        return switch (d.type()) {
            case "slack" -> new SlackDestination(d.name(),
                    Secret.readUrl(what + " webhook URL", path(d.urlFile()), d.urlEnv(), env),
                    minInterval == null ? SlackDestination.DEFAULT_MIN_INTERVAL : minInterval);
            case "pagerduty" -> new PagerDutyDestination(d.name(),
                    Secret.url(what + " baseUrl",
                            d.baseUrl() == null ? PagerDutyDestination.DEFAULT_BASE_URL : d.baseUrl()),
                    Secret.read(what + " routing key", path(d.routingKeyFile()), d.routingKeyEnv(), env),
                    minInterval == null ? Duration.ZERO : minInterval);
            case "webhook" -> new WebhookDestination(d.name(),
                    Secret.readUrl(what + " URL", path(d.urlFile()), d.urlEnv(), env),
                    Secret.read(what + " HMAC key", path(d.hmacKeyFile()), d.hmacKeyEnv(), env),
                    minInterval == null ? Duration.ZERO : minInterval, format(source, what, d.format()));
            default -> throw new RoutingException(source + ": " + what + " has type '" + d.type()
                    + "'; use slack, pagerduty or webhook");
        };
    }

    private static AlertFormat format(String source, String what, String name) {
        if (name == null) {
            return AlertFormat.JSON;
        }
        try {
            return AlertFormat.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new RoutingException(source + ": " + what + " has format '" + name + "'; use json, ocsf or ecs");
        }
    }

    private static Level level(String source, String name) {
        if (name == null) {
            return Level.INFORMATIONAL;
        }
        try {
            return Level.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new RoutingException(source + ": minLevel '" + name
                    + "' is not one of informational, low, medium, high, critical");
        }
    }

    private static Duration duration(String source, String what, String value) {
        if (value == null) {
            return null;
        }
        try {
            return Duration.parse(value);
        } catch (DateTimeParseException e) {
            throw new RoutingException(source + ": " + what + " minInterval '" + value
                    + "' is not an ISO-8601 duration like PT1S");
        }
    }

    private static Path path(String s) {
        return s == null ? null : Path.of(s);
    }

    private static Set<String> set(List<String> values) {
        return values == null ? null : new HashSet<>(values);
    }

    private static String firstLine(String message) {
        return message == null ? "unreadable" : message.lines().findFirst().orElse("unreadable");
    }
}
