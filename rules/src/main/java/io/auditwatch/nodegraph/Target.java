package io.auditwatch.nodegraph;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditwatch.event.AuditEvent;
import java.util.Map;

/** The object a node credential touched, as the graph names it. */
record Target(String kind, String name, String podUid) {
    static final Map<String, String> KINDS = Map.of("secrets", PodRefs.SECRET, "configmaps", PodRefs.CONFIGMAP,
            "persistentvolumeclaims", PodRefs.PVC, "resourceclaims", PodRefs.RESOURCE_CLAIM,
            "serviceaccounts", PodRefs.SERVICE_ACCOUNT, "pods", "pod");
    /** Cluster-scoped objects a kubelet may touch: judged through VolumeAttachments (node→attachment→PV). */
    static final Map<String, String> VOLUMES = Map.of("persistentvolumes", "persistentvolume",
            "volumeattachments", "volumeattachment");

    static Target of(AuditEvent e) {
        String kind = KINDS.containsKey(e.resource()) ? KINDS.get(e.resource()) : VOLUMES.get(e.resource());
        return new Target(kind, e.selectedName(), "pod".equals(kind) ? podUid(e) : null);
    }

    /** Which pod of that name: status updates and deletes say, and a StatefulSet reuses names. */
    private static String podUid(AuditEvent e) {
        if (e.objectRef.uid() != null && !e.objectRef.uid().isEmpty()) {
            return e.objectRef.uid();
        }
        JsonNode pod = PodLifecycle.podObject(e);
        if (pod != null && pod.path("metadata").hasNonNull("uid")) {
            return pod.path("metadata").path("uid").asText();
        }
        return e.requestObject == null ? null : e.requestObject.path("preconditions").path("uid").asText(null);
    }

    String describe(String ns) {
        return kind + " " + (ns == null ? "" : ns + "/") + (name == null ? "*" : name);
    }
}
