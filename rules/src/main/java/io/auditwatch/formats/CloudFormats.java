package io.auditwatch.formats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * Recognises the shapes in which managed Kubernetes services export audit events and unwraps them to native
 * Events:
 * <ul>
 *   <li>EKS: CloudWatch Logs subscription-filter payloads ({@code logGroup}, {@code logEvents[].message}), also
 *   gzip-compressed, base64-encoded or in a Lambda {@code awslogs.data} envelope; single CloudWatch log events
 *   ({@code message} holding the Event); S3 export lines ({@code <timestamp> <event>}, see {@link #decode}).</li>
 *   <li>AKS: Azure diagnostic records of category {@code kube-audit} or {@code kube-audit-admin} whose
 *   {@code properties.log} holds the Event as a string, alone or in an Event Hubs {@code records} array.</li>
 *   <li>GKE: Cloud Logging {@code LogEntry}s whose {@code protoPayload} is a Kubernetes AuditLog, mapped back to
 *   an Event; the fields an AuditLog cannot carry are listed in the origin.</li>
 * </ul>
 */
public final class CloudFormats {
    public static final String EKS = "eks-cloudwatch";
    public static final String AKS = "aks-diagnostics";
    public static final String GKE = "gke-cloud-logging";

    /** Fields no GKE AuditLog carries; the mapping adds what a given entry lacks on top. */
    static final List<String> GKE_NEVER = List.of("level", "stage", "requestURI", "stageTimestamp", "user.groups",
            "user.extra", "user.uid", "objectRef.uid", "objectRef.resourceVersion");

    /** A compressed payload may expand to no more than this (a gzip bomb is rejected, not inflated). */
    public static final int MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024;

    private static final Pattern EKS_LOG_GROUP = Pattern.compile("^/aws/eks/([^/]+)/cluster$");
    private static final Pattern AKS_CLUSTER = Pattern.compile("/managedClusters/([^/]+)", Pattern.CASE_INSENSITIVE);
    /** CloudWatch Logs' export to S3 writes each event as {@code 2024-05-01T10:00:00.123Z <message>}. */
    private static final Pattern EXPORT_LINE = Pattern.compile("^\\d{4}-\\d{2}-\\d{2}T[0-9:.]+Z? (?=[{\\[])");

    private static final Pattern SPACED_UTC = Pattern.compile("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}(\\.\\d+)?");

    private final ObjectMapper mapper;

    public CloudFormats(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /**
     * Undoes the transport encodings of cloud exports: gzip, base64 of gzip, and the timestamp prefix of
     * CloudWatch's S3 export lines. Anything else comes back unchanged.
     *
     * @throws IOException when the payload claims to be compressed but is not readable, or inflates too far
     */
    public byte[] decode(byte[] payload) throws IOException {
        if (AuditLogFiles.isGzip(payload)) {
            return gunzip(payload);
        }
        if (payload.length >= 4 && payload[0] == 'H' && payload[1] == '4' && payload[2] == 's' && payload[3] == 'I') {
            try {
                return gunzip(base64(new String(payload, StandardCharsets.US_ASCII)));
            } catch (IllegalArgumentException e) {
                throw new IOException("not base64: " + e.getMessage(), e);
            }
        }
        if (payload.length > 20 && payload[0] >= '0' && payload[0] <= '9') {
            String head = new String(payload, 0, Math.min(payload.length, 48), StandardCharsets.US_ASCII);
            Matcher m = EXPORT_LINE.matcher(head);
            if (m.find()) {
                byte[] rest = new byte[payload.length - m.end()];
                System.arraycopy(payload, m.end(), rest, 0, rest.length);
                return rest;
            }
        }
        return payload;
    }

    /** True when {@code node} is one of the cloud shapes above (so not itself an Event). */
    public static boolean isWrapper(JsonNode node) {
        if (!node.isObject() || node.has("verb") || node.has("kind")) {
            return false;
        }
        return node.has("protoPayload") || node.has("logEvents") || node.has("awslogs") || node.has("records")
                || node.path("category").isTextual() || node.path("message").isTextual();
    }

    /** The items {@code node} wraps, or empty when it is not a cloud shape. */
    public Optional<List<Unwrapped>> unwrap(JsonNode node) {
        if (!isWrapper(node)) {
            return Optional.empty();
        }
        List<Unwrapped> out = new ArrayList<>();
        collect(node, out);
        return Optional.of(out);
    }

    private void collect(JsonNode node, List<Unwrapped> out) {
        if (node.has("protoPayload")) {
            out.add(gke(node));
        } else if (node.has("logEvents")) {
            cloudWatch(node, out);
        } else if (node.has("awslogs")) {
            try {
                JsonNode inner = mapper.readTree(gunzip(base64(node.path("awslogs").path("data").asText(""))));
                if (inner == null || !isWrapper(inner)) {
                    out.add(Unwrapped.error("awslogs.data does not hold a CloudWatch Logs payload", node));
                } else {
                    collect(inner, out);
                }
            } catch (IOException | IllegalArgumentException e) {
                out.add(Unwrapped.error("awslogs.data is not base64 gzip JSON: " + e.getMessage(), node));
            }
        } else if (node.has("records")) {
            if (!node.get("records").isArray()) {
                out.add(Unwrapped.error("records is not an array", node));
                return;
            }
            for (JsonNode record : node.get("records")) {
                if (record.path("category").isTextual()) {
                    out.add(aks(record));
                } else {
                    out.add(Unwrapped.error("Azure record without a category", record));
                }
            }
        } else if (node.has("category")) {
            out.add(aks(node));
        } else {
            // A single CloudWatch log event, as `aws logs filter-log-events` prints it.
            out.add(embedded(node, node.get("message").asText(), new CloudOrigin(EKS, null, List.of()), "message"));
        }
    }

    private void cloudWatch(JsonNode payload, List<Unwrapped> out) {
        if ("CONTROL_MESSAGE".equals(payload.path("messageType").asText())) {
            return; // CloudWatch's reachability check carries no log events
        }
        if (!payload.get("logEvents").isArray()) {
            out.add(Unwrapped.error("logEvents is not an array", payload));
            return;
        }
        Matcher m = EKS_LOG_GROUP.matcher(payload.path("logGroup").asText(""));
        CloudOrigin origin = new CloudOrigin(EKS, m.matches() ? m.group(1) : null, List.of());
        for (JsonNode logEvent : payload.get("logEvents")) {
            out.add(embedded(logEvent, logEvent.path("message").asText(null), origin, "logEvents[].message"));
        }
    }

    private Unwrapped aks(JsonNode record) {
        String category = record.path("category").asText("");
        if (!category.equals("kube-audit") && !category.equals("kube-audit-admin")) {
            return Unwrapped.error("Azure diagnostic record of category \"" + category
                    + "\", expected kube-audit or kube-audit-admin", record);
        }
        Matcher m = AKS_CLUSTER.matcher(record.path("resourceId").asText(""));
        CloudOrigin origin = new CloudOrigin(AKS, m.find() ? m.group(1) : null, List.of());
        return embedded(record, record.path("properties").path("log").asText(null), origin, "properties.log");
    }

    private Unwrapped embedded(JsonNode item, String text, CloudOrigin origin, String field) {
        if (text == null) {
            return Unwrapped.error(field + " is missing or not a string", item);
        }
        try {
            JsonNode event = mapper.readTree(text);
            if (event == null || !event.isObject()) {
                return Unwrapped.error(field + " does not hold a JSON object", item);
            }
            return Unwrapped.event(event, origin);
        } catch (IOException e) {
            return Unwrapped.error(field + " is not JSON: " + firstLine(e.getMessage()), item);
        }
    }

    /** Maps a Cloud Logging AuditLog entry back to an Event; what it cannot restore goes to the origin. */
    private Unwrapped gke(JsonNode entry) {
        JsonNode p = entry.get("protoPayload");
        String method = p.path("methodName").asText("");
        if (!method.startsWith("io.k8s.") && !"k8s.io".equals(p.path("serviceName").asText())) {
            return Unwrapped.error("Cloud Logging entry that is not a Kubernetes audit log (methodName \""
                    + method + "\")", entry);
        }
        String[] parts = method.split("\\.");
        List<String> missing = new ArrayList<>(GKE_NEVER);
        ObjectNode e = mapper.createObjectNode();
        e.put("kind", "Event");
        e.put("apiVersion", "audit.k8s.io/v1");
        String auditID = firstText(entry.path("operation").path("id"), entry.path("insertId"));
        if (auditID != null) {
            e.put("auditID", auditID);
        } else {
            missing.add("auditID");
        }
        boolean resourceRequest = parts.length >= 6; // io.k8s.<group>.<version>.<resource>.<verb>
        if (resourceRequest) {
            e.put("verb", parts[parts.length - 1]);
            e.set("objectRef", objectRef(p.path("resourceName").asText(null), parts));
        } else {
            // A non-resource URL (io.k8s.readyz is GET /readyz): the method keeps the path, not the verb.
            e.put("verb", "get");
            e.put("requestURI", "/" + String.join("/", List.of(parts).subList(2, parts.length)));
            missing.remove("requestURI");
            missing.add("verb");
        }

        JsonNode auth = p.path("authenticationInfo");
        // Anonymous requests carry no principalEmail; GKE names them in authoritySelector.
        String user = firstText(auth.path("principalEmail"), auth.path("authoritySelector"));
        if (user != null) {
            e.putObject("user").put("username", user);
        } else {
            missing.add("user");
        }
        JsonNode meta = p.path("requestMetadata");
        if (meta.path("callerIP").isTextual()) {
            e.putArray("sourceIPs").add(meta.get("callerIP").asText());
        } else {
            missing.add("sourceIPs");
        }
        if (meta.path("callerSuppliedUserAgent").isTextual()) {
            e.put("userAgent", meta.get("callerSuppliedUserAgent").asText());
        } else {
            missing.add("userAgent");
        }
        JsonNode status = p.path("status");
        if (status.isObject()) {
            int rpc = status.path("code").asInt(0);
            ObjectNode rs = e.putObject("responseStatus");
            rs.put("code", httpCode(rpc));
            if (status.path("message").isTextual()) {
                rs.put("message", status.get("message").asText());
            }
            missing.add("responseStatus.code"); // approximated from the google.rpc code: 200 for a 201
        } else {
            missing.add("responseStatus");
        }

        ObjectNode annotations = mapper.createObjectNode();
        entry.path("labels").fields().forEachRemaining(l -> {
            if (l.getValue().isTextual()) {
                annotations.put(l.getKey(), l.getValue().asText());
            }
        });
        JsonNode authz = p.path("authorizationInfo");
        if (!annotations.has("authorization.k8s.io/decision") && authz.isArray() && !authz.isEmpty()) {
            boolean granted = true;
            for (JsonNode a : authz) {
                granted &= a.path("granted").asBoolean(false);
            }
            annotations.put("authorization.k8s.io/decision", granted ? "allow" : "forbid");
        }
        if (!annotations.isEmpty()) {
            e.set("annotations", annotations);
        }
        if (p.has("request")) {
            e.set("requestObject", p.get("request"));
        }
        if (p.has("response")) {
            e.set("responseObject", p.get("response"));
        }
        if (entry.path("timestamp").isTextual()) {
            e.put("requestReceivedTimestamp", rfc3339(entry.get("timestamp").asText()));
        } else {
            missing.add("requestReceivedTimestamp");
        }
        String cluster = entry.path("resource").path("labels").path("cluster_name").asText(null);
        return Unwrapped.event(e, new CloudOrigin(GKE, cluster, missing));
    }

    /**
     * From {@code resourceName} ({@code <group>/<version>/[namespaces/<ns>/]<resource>[/<name>[/<subresource>]]},
     * group {@code core} for the core group), else from the method name (which abbreviates the group).
     */
    private ObjectNode objectRef(String resourceName, String[] method) {
        ObjectNode ref = mapper.createObjectNode();
        String group;
        String version;
        List<String> rest;
        if (resourceName != null && resourceName.split("/").length >= 3) {
            String[] r = resourceName.split("/");
            group = r[0];
            version = r[1];
            rest = new ArrayList<>(List.of(r).subList(2, r.length));
            if (rest.size() >= 3 && rest.get(0).equals("namespaces")) {
                ref.put("namespace", rest.get(1));
                rest = rest.subList(2, rest.size());
            }
        } else {
            group = method[2];
            version = method[3];
            // io.k8s.core.v1.pods.exec.create: resource, then an optional subresource, then the verb.
            List<String> tail = List.of(method).subList(4, method.length - 1);
            rest = new ArrayList<>();
            rest.add(tail.get(0));
            if (tail.size() > 1) {
                rest.add(null);
                rest.add(tail.get(1));
            }
        }
        ref.put("resource", rest.get(0));
        if (rest.size() > 1 && rest.get(1) != null) {
            ref.put("name", rest.get(1));
        }
        if (rest.size() > 2) {
            ref.put("subresource", rest.get(2));
        }
        if (!group.equals("core")) {
            ref.put("apiGroup", group);
        }
        ref.put("apiVersion", version);
        return ref;
    }

    /**
     * Cloud Logging writes RFC 3339; exports re-shaped by log pipelines (BigQuery, SIEMs) often write
     * {@code 2024-02-16 11:48:22.742}, in UTC.
     */
    private static String rfc3339(String time) {
        return SPACED_UTC.matcher(time).matches() ? time.replace(' ', 'T') + "Z" : time;
    }

    /** google.rpc.Code to the HTTP status the API server would have answered. */
    static int httpCode(int rpc) {
        return switch (rpc) {
            case 0 -> 200;
            case 1 -> 499;
            case 3, 9, 11 -> 400;
            case 4 -> 504;
            case 5 -> 404;
            case 6, 10 -> 409;
            case 7 -> 403;
            case 8 -> 429;
            case 12 -> 501;
            case 14 -> 503;
            case 16 -> 401;
            default -> 500;
        };
    }

    private static String firstText(JsonNode... nodes) {
        for (JsonNode n : nodes) {
            if (n.isTextual() && !n.asText().isEmpty()) {
                return n.asText();
            }
        }
        return null;
    }

    private static byte[] base64(String text) {
        return Base64.getMimeDecoder().decode(text.strip());
    }

    private static byte[] gunzip(byte[] compressed) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed))) {
            byte[] out = in.readNBytes(MAX_DECOMPRESSED_BYTES + 1);
            if (out.length > MAX_DECOMPRESSED_BYTES) {
                throw new IOException("gzip payload inflates beyond " + MAX_DECOMPRESSED_BYTES + " bytes");
            }
            return out;
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
