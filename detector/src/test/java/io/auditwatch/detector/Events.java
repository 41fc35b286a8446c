package io.auditwatch.detector;

/** Audit events for driver tests, as the API server writes them. */
final class Events {
    private Events() {
    }

    static String event(String auditID, String stage, String username, String verb, String resource,
                        String subresource, String namespace, String name, String decision, int code,
                        String received) {
        String objectRef = resource == null ? "" : String.format(
                ",\"objectRef\":{\"resource\":\"%s\",\"namespace\":\"%s\",\"name\":\"%s\",\"apiVersion\":\"v1\"%s}",
                resource, namespace, name, subresource == null ? "" : ",\"subresource\":\"" + subresource + "\"");
        String uri = resource == null ? "/healthz"
                : "/api/v1/namespaces/" + namespace + "/" + resource + "/" + name
                + (subresource == null ? "" : "/" + subresource);
        return "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"Metadata\",\"auditID\":\"" + auditID
                + "\",\"stage\":\"" + stage + "\",\"requestURI\":\"" + uri + "\",\"verb\":\"" + verb
                + "\",\"user\":{\"username\":\"" + username + "\",\"groups\":[\"system:authenticated\"]}"
                + ",\"sourceIPs\":[\"203.0.113.45\"],\"userAgent\":\"kubectl/v1.31.2\"" + objectRef
                + ",\"responseStatus\":{\"code\":" + code + "}"
                + ",\"requestReceivedTimestamp\":\"" + received + "\",\"stageTimestamp\":\"" + received + "\""
                + ",\"annotations\":{\"authorization.k8s.io/decision\":\"" + decision + "\"}}";
    }

    static String exec(String auditID, String stage, String received) {
        return event(auditID, stage, "alice@example.com", "get", "pods", "exec", "shop", "web-1", "allow", 101,
                received);
    }
}
