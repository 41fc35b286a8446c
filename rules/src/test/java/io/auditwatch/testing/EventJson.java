package io.auditwatch.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditwatch.event.AuditEvent;
import io.auditwatch.event.AuditEventReader;
import io.auditwatch.event.ReadResult;
import io.auditwatch.identity.Identity;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Builds audit events as JSON, shaped like what kube-apiserver writes ({@code audit.k8s.io/v1}, Metadata level):
 * start from a preset and change only what a test is about. Built on a Jackson tree, so every string is escaped.
 */
public final class EventJson {
    /** Receive time of the default event; microsecond precision, as the API server writes it. */
    public static final String T0 = "2024-05-01T10:00:00.123456Z";
    public static final long T0_MILLIS = 1_714_557_600_123L;
    public static final String CLUSTER = "test-cluster";

    private static final ObjectMapper TREE = new ObjectMapper();

    private final ObjectNode node;

    private EventJson(ObjectNode node) {
        this.node = node;
    }

    /** A human user's allowed {@code get pods/web-1} in namespace shop, completed with 200. */
    public static EventJson event() {
        ObjectNode n = TREE.createObjectNode();
        n.put("kind", "Event");
        n.put("apiVersion", "audit.k8s.io/v1");
        n.put("level", "Metadata");
        n.put("auditID", "7d3c5a9e-1f42-4b6b-9a1e-0c2f5e8d4b11");
        n.put("stage", "ResponseComplete");
        n.put("requestURI", "/api/v1/namespaces/shop/pods/web-1");
        n.put("verb", "get");
        ObjectNode user = n.putObject("user");
        user.put("username", "alice@example.com");
        user.putArray("groups").add("system:authenticated").add("oidc:sre");
        n.putArray("sourceIPs").add("203.0.113.45");
        n.put("userAgent", "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46");
        ObjectNode ref = n.putObject("objectRef");
        ref.put("resource", "pods");
        ref.put("namespace", "shop");
        ref.put("name", "web-1");
        ref.put("apiVersion", "v1");
        ObjectNode status = n.putObject("responseStatus");
        status.putObject("metadata");
        status.put("code", 200);
        n.put("requestReceivedTimestamp", T0);
        n.put("stageTimestamp", "2024-05-01T10:00:00.187654Z");
        ObjectNode annotations = n.putObject("annotations");
        annotations.put(AuditEvent.DECISION_ANNOTATION, "allow");
        annotations.put(AuditEvent.REASON_ANNOTATION,
                "RBAC: allowed by ClusterRoleBinding \"sre\" of ClusterRole \"edit\" to Group \"oidc:sre\"");
        return new EventJson(n);
    }

    /** {@code kubectl exec} (1.30+: verb get over WebSockets), seen at ResponseStarted with 101. */
    public static EventJson podExec() {
        return event().verb("get").objectRef("pods", "shop", "web-1", "exec")
                .uri("/api/v1/namespaces/shop/pods/web-1/exec?command=sh&container=web&stdin=true&stdout=true&tty=true")
                .stage("ResponseStarted").code(101);
    }

    /** {@code kubectl port-forward}, seen at ResponseStarted with 101. */
    public static EventJson portForward() {
        return event().verb("create").objectRef("pods", "shop", "db-0", "portforward")
                .stage("ResponseStarted").code(101);
    }

    /** {@code kubectl get secret db-password -n shop} by a person. */
    public static EventJson secretGet() {
        return event().verb("get").objectRef("secrets", "shop", "db-password", null);
    }

    /** An unauthenticated request to a path with no object (health, discovery, ...). */
    public static EventJson anonymous(String uri) {
        return event().user("system:anonymous", "system:unauthenticated").noObjectRef().uri(uri)
                .set("userAgent", "curl/8.5.0");
    }

    /** A kubelet's allowed {@code get secrets/db-credentials} in shop: user {@code system:node:<node>} with its groups. */
    public static EventJson kubelet(String node) {
        return event().user(Identity.NODE_PREFIX + node, Identity.NODES_GROUP, "system:authenticated")
                .set("userAgent", "kubelet/v1.31.2 (linux/amd64) kubernetes/5864a46")
                .set("sourceIPs", List.of("10.0.1.17")).objectRef("secrets", "shop", "db-credentials", null)
                .reason("");
    }

    /**
     * A pod's own service-account token (every claim a v1.30+ API server puts in {@code user.extra}), reading
     * secret shop/db-credentials.
     */
    public static EventJson podToken(String namespace, String account, String pod, String node) {
        return event().user(Identity.SERVICE_ACCOUNT_PREFIX + namespace + ":" + account, "system:serviceaccounts",
                        "system:serviceaccounts:" + namespace, "system:authenticated")
                .extra(Identity.CLAIM_CREDENTIAL_ID, "JTI=0b7c9d2e-" + pod)
                .extra(Identity.CLAIM_NODE_NAME, node)
                .extra(Identity.CLAIM_NODE_UID, "uid-of-" + node)
                .extra(Identity.CLAIM_POD_NAME, pod)
                .extra(Identity.CLAIM_POD_UID, "uid-of-" + pod)
                .set("userAgent", "curl/8.5.0").objectRef("secrets", "shop", "db-credentials", null)
                .reason("RBAC: allowed by ClusterRoleBinding \"agent\" of ClusterRole \"agent\" to ServiceAccount \""
                        + account + "/" + namespace + "\"");
    }

    /**
     * {@code create pods} by the ReplicaSet controller at level RequestResponse (201): the response carries the
     * pod with its uid and {@code spec} (raw JSON; it may set {@code nodeName}).
     */
    public static EventJson podCreate(String namespace, String name, String uid, String specJson) {
        EventJson e = event().user("system:serviceaccount:kube-system:replicaset-controller",
                        "system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated")
                .set("level", "RequestResponse").verb("create").objectRef("pods", namespace, null, null)
                .code(201).set("userAgent", "kube-controller-manager/v1.31.2 (linux/amd64) kubernetes/5864a46/system:serviceaccount:kube-system:replicaset-controller");
        ((ObjectNode) e.node.get("objectRef")).put("name", name);
        ObjectNode pod = TREE.createObjectNode();
        pod.put("kind", "Pod");
        pod.put("apiVersion", "v1");
        ObjectNode metadata = pod.putObject("metadata");
        metadata.put("name", name);
        metadata.put("namespace", namespace);
        metadata.put("uid", uid);
        e.node.set("responseObject", pod);
        pod.set("spec", tree(specJson));
        return e;
    }

    /** The scheduler's {@code create pods/binding} of a pod to a node (201). */
    public static EventJson binding(String namespace, String pod, String node) {
        EventJson e = event().user("system:kube-scheduler", "system:authenticated").set("level", "RequestResponse")
                .verb("create").objectRef("pods", namespace, pod, "binding").code(201)
                .set("userAgent", "kube-scheduler/v1.31.2 (linux/amd64) kubernetes/5864a46/scheduler");
        return e.setJson("requestObject", "{\"kind\":\"Binding\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":"
                + TREE.valueToTree(pod) + ",\"namespace\":" + TREE.valueToTree(namespace)
                + "},\"target\":{\"kind\":\"Node\",\"name\":" + TREE.valueToTree(node) + "}}");
    }

    /** {@code delete pods/<name>} (200) by the ReplicaSet controller: a graceful delete, the pod terminates. */
    public static EventJson podDelete(String namespace, String pod) {
        return event().user("system:serviceaccount:kube-system:replicaset-controller", "system:serviceaccounts",
                "system:authenticated").verb("delete").objectRef("pods", namespace, pod, null);
    }

    /** Received (and completed) {@code seconds} after {@link #T0}. */
    public EventJson at(double seconds) {
        java.time.Instant t = java.time.Instant.parse(T0).plusNanos(Math.round(seconds * 1e9));
        return received(t.toString()).stageAt(t.plusMillis(3).toString());
    }

    /** The authorizer's reason annotation. */
    public EventJson reason(String reason) {
        ((ObjectNode) node.get("annotations")).put(AuditEvent.REASON_ANNOTATION, reason);
        return this;
    }

    public EventJson apiVersion(String apiVersion) {
        return set("apiVersion", apiVersion);
    }

    public EventJson auditID(String auditID) {
        return set("auditID", auditID);
    }

    public EventJson stage(String stage) {
        return set("stage", stage);
    }

    public EventJson verb(String verb) {
        return set("verb", verb);
    }

    public EventJson uri(String uri) {
        return set("requestURI", uri);
    }

    /** Replaces the user; no groups at all when none are given (as many exports write node users). */
    public EventJson user(String username, String... groups) {
        ObjectNode user = node.putObject("user");
        user.put("username", username);
        if (groups.length > 0) {
            ArrayNode array = user.putArray("groups");
            for (String g : groups) {
                array.add(g);
            }
        }
        return this;
    }

    /** Adds a {@code user.extra} claim. */
    public EventJson extra(String claim, String... values) {
        ObjectNode user = (ObjectNode) node.get("user");
        ObjectNode extra = user.has("extra") ? (ObjectNode) user.get("extra") : user.putObject("extra");
        ArrayNode array = extra.putArray(claim);
        for (String v : values) {
            array.add(v);
        }
        return this;
    }

    /** Sets the objectRef and a matching requestURI. */
    public EventJson objectRef(String resource, String namespace, String name, String subresource) {
        ObjectNode ref = node.putObject("objectRef");
        ref.put("resource", resource);
        if (namespace != null) {
            ref.put("namespace", namespace);
        }
        if (name != null) {
            ref.put("name", name);
        }
        ref.put("apiVersion", "v1");
        if (subresource != null) {
            ref.put("subresource", subresource);
        }
        String uri = "/api/v1" + (namespace == null ? "" : "/namespaces/" + namespace) + "/" + resource
                + (name == null ? "" : "/" + name) + (subresource == null ? "" : "/" + subresource);
        return uri(uri);
    }

    public EventJson noObjectRef() {
        return remove("objectRef");
    }

    public EventJson code(int code) {
        ((ObjectNode) node.get("responseStatus")).put("code", code);
        return this;
    }

    /** The authorizer's decision annotation; null removes it. */
    public EventJson decision(String decision) {
        ObjectNode annotations = (ObjectNode) node.get("annotations");
        if (decision == null) {
            annotations.remove(AuditEvent.DECISION_ANNOTATION);
        } else {
            annotations.put(AuditEvent.DECISION_ANNOTATION, decision);
        }
        return this;
    }

    /** Denied by RBAC: decision forbid and a 403 response. */
    public EventJson forbidden() {
        ObjectNode status = node.putObject("responseStatus");
        status.putObject("metadata");
        status.put("status", "Failure");
        status.put("reason", "Forbidden");
        status.put("code", 403);
        ((ObjectNode) node.get("annotations")).remove(AuditEvent.REASON_ANNOTATION);
        return decision("forbid");
    }

    public EventJson received(String time) {
        return set("requestReceivedTimestamp", time);
    }

    public EventJson stageAt(String time) {
        return set("stageTimestamp", time);
    }

    /** Sets any field to any value (a string, a number, a list, a map, a JsonNode). */
    public EventJson set(String field, Object value) {
        node.set(field, value instanceof JsonNode j ? j : TREE.valueToTree(value));
        return this;
    }

    /** Sets a field to a raw JSON value. */
    public EventJson setJson(String field, String json) {
        try {
            node.set(field, TREE.readTree(json));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(json, e);
        }
        return this;
    }

    public EventJson remove(String... fields) {
        for (String f : fields) {
            node.remove(f);
        }
        return this;
    }

    public EventJson copy() {
        return new EventJson(node.deepCopy());
    }

    public String json() {
        return node.toString();
    }

    public byte[] bytes() {
        return json().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return json();
    }

    /** Reads this event with a default reader, requiring that it is accepted. */
    public AuditEvent parse() {
        return parseOne(json());
    }

    public static AuditEvent parseOne(String json) {
        ReadResult result = reader().read(json.getBytes(StandardCharsets.UTF_8), T0_MILLIS);
        assertEquals(List.of(), result.rejections(), () -> "rejections of " + json);
        assertEquals(1, result.events().size(), () -> "events of " + json);
        return result.events().get(0);
    }

    public static AuditEventReader reader() {
        return new AuditEventReader(AuditEventReader.DEFAULT_MAX_EVENT_BYTES, CLUSTER);
    }

    /** An EventList body as the webhook backend POSTs it; items are raw JSON. */
    public static String eventList(String... items) {
        return "{\"kind\":\"EventList\",\"apiVersion\":\"audit.k8s.io/v1\",\"metadata\":{},\"items\":["
                + String.join(",", items) + "]}";
    }

    /** A bare JSON array of events; items are raw JSON. */
    public static String array(String... items) {
        return "[" + String.join(",", items) + "]";
    }

    /** Reads JSON into a tree, to compare documents regardless of formatting. */
    public static JsonNode tree(byte[] json) {
        try {
            return TREE.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(new String(json, StandardCharsets.UTF_8), e);
        }
    }

    public static JsonNode tree(String json) {
        return tree(json.getBytes(StandardCharsets.UTF_8));
    }
}
