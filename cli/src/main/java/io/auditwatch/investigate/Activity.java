package io.auditwatch.investigate;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditwatch.alert.Alert;
import io.auditwatch.event.AuditEvent;
import io.auditwatch.event.AuditEventReader;
import io.auditwatch.identity.Identity;
import io.auditwatch.replay.ReplayInput;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the report shows beyond the alerts, from a second read of the log: everything each alerted identity did
 * in the hour around each of its alerts, and for each node its pods and what its credentials (kubelet, pod tokens
 * bound to it) touched. One row per request (a request logged at several stages counts once), a bounded number
 * per identity and node so a month of logs gives a report a browser can open.
 */
public final class Activity {
    static final Duration AROUND = Duration.ofMinutes(30);
    static final int MAX_ROWS = 500;

    /** One request, as the report lists it. */
    public record Row(long time, String verb, String target, Integer code, String auditID, String sourceIP,
                      String userAgent, String username) {
    }

    private final Map<String, List<long[]>> windows = new HashMap<>();
    private final Set<String> nodes;
    private final Map<String, List<Row>> byIdentity = new TreeMap<>();
    private final Map<String, Set<String>> podsByNode = new TreeMap<>();
    private final Map<String, List<Row>> accessesByNode = new TreeMap<>();
    private final Map<String, Long> truncated = new TreeMap<>();
    private final Set<String> seen = new HashSet<>();

    private Activity(List<Alert> alerts, Set<String> nodes) {
        this.nodes = nodes;
        for (Alert alert : alerts) {
            if (alert.identity() == null || alert.firstSeen() == null || alert.lastSeen() == null) {
                continue;
            }
            windows.computeIfAbsent(alert.identity().username(), u -> new ArrayList<>()).add(new long[] {
                Instant.parse(alert.firstSeen()).minus(AROUND).toEpochMilli(),
                Instant.parse(alert.lastSeen()).plus(AROUND).toEpochMilli()});
        }
        nodes.forEach(n -> podsByNode.put(n, new TreeSet<>()));
    }

    /** Reads {@code inputs} again for the alerted identities of {@code alerts} and for {@code nodes}. */
    public static Activity collect(List<ReplayInput> inputs, AuditEventReader reader, List<Alert> alerts,
                                   Set<String> nodes) throws IOException {
        Activity activity = new Activity(alerts, nodes);
        for (ReplayInput input : inputs) {
            try {
                input.read((payload, position, fallbackTime) -> reader.read(payload, fallbackTime).events()
                        .forEach(activity::add), bytes -> { });
            } catch (IOException e) {
                // a damaged input was reported by the replay; what was read of it is shown
            }
        }
        return activity;
    }

    private void add(AuditEvent event) {
        String user = event.username();
        List<long[]> around = user == null ? null : windows.get(user);
        long time = event.eventTimeMillis();
        boolean forIdentity = around != null && around.stream().anyMatch(w -> time >= w[0] && time <= w[1]);
        Identity identity = event.identity();
        String node = identity.node() != null && nodes.contains(identity.node()) ? identity.node() : null;
        recordPod(event);
        if (!forIdentity && node == null) {
            return;
        }
        if (event.auditID != null && !seen.add(event.auditID + '|' + user)) {
            return; // another stage of a request listed already
        }
        Row row = new Row(time, event.verb, target(event), event.responseCode(), event.auditID,
                event.sourceIPs == null || event.sourceIPs.isEmpty() ? null : event.sourceIPs.get(0),
                event.userAgent, user);
        if (forIdentity) {
            append(byIdentity, user, row);
        }
        if (node != null) {
            append(accessesByNode, node, row);
        }
    }

    private void append(Map<String, List<Row>> rows, String key, Row row) {
        List<Row> list = rows.computeIfAbsent(key, k -> new ArrayList<>());
        if (list.size() < MAX_ROWS) {
            list.add(row);
        } else {
            truncated.merge(key, 1L, Long::sum);
        }
    }

    /** A pod bound to a watched node: the scheduler's binding, or a pod written with spec.nodeName. */
    private void recordPod(AuditEvent event) {
        if (!"pods".equals(event.resource())) {
            return;
        }
        String node = null;
        if ("binding".equals(event.subresource()) && event.requestObject != null) {
            node = event.requestObject.path("target").path("name").asText(null);
        } else if (event.subresource() == null) {
            for (JsonNode object : new JsonNode[] {event.requestObject, event.responseObject}) {
                if (object != null && object.path("spec").hasNonNull("nodeName")) {
                    node = object.path("spec").path("nodeName").asText();
                }
            }
        }
        if (node != null && event.objectName() != null && podsByNode.containsKey(node)) {
            podsByNode.get(node).add(event.namespace() + "/" + event.objectName());
        }
    }

    private static String target(AuditEvent event) {
        StringBuilder sb = new StringBuilder();
        if (event.namespace() != null) {
            sb.append(event.namespace()).append('/');
        }
        sb.append(event.resource() == null ? event.requestURI : event.resource());
        if (event.subresource() != null) {
            sb.append('/').append(event.subresource());
        }
        if (event.objectName() != null) {
            sb.append(' ').append(event.objectName());
        }
        return sb.toString();
    }

    public List<Row> of(String username) {
        return byIdentity.getOrDefault(username, List.of());
    }

    public Set<String> podsOn(String node) {
        return podsByNode.getOrDefault(node, Set.of());
    }

    public List<Row> accessesBy(String node) {
        return accessesByNode.getOrDefault(node, List.of());
    }

    /** Rows left out for an identity or node past {@link #MAX_ROWS}. */
    public long leftOut(String key) {
        return truncated.getOrDefault(key, 0L);
    }
}
