package io.auditwatch.nodegraph;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditwatch.event.AuditEvent;
import io.auditwatch.state.ExpiringState;
import java.util.Set;

/**
 * Cluster-scoped volumes as the graph learns them: VolumeAttachments (a PV attached to a node) and PVs bound to
 * their claims (claimRef); a detached or deleted one stays related as long as a deleted pod does.
 */
final class VolumeLifecycle {
    static boolean isAttachmentLifecycle(AuditEvent e) {
        Integer code = e.responseCode();
        return "volumeattachments".equals(e.resource()) && e.subresource() == null && code != null && code < 300
                && "ResponseComplete".equals(e.stage) && ("create".equals(e.verb) || "delete".equals(e.verb));
    }

    /** The attach/detach controller attaches a PV to a node; a detached one stays related a while, like a pod. */
    void updateAttachments(AuditEvent e, ExpiringState state) {
        JsonNode va = PodLifecycle.logged(e, "VolumeAttachment");
        String name = va != null ? va.path("metadata").path("name").asText(e.objectName()) : e.objectName();
        if (va == null || name == null) {
            return;
        }
        String node = va.path("spec").path("nodeName").asText(null);
        String pv = va.path("spec").path("source").path("persistentVolumeName").asText(null);
        if (node == null) {
            return;
        }
        long expiresAt = "delete".equals(e.verb) ? e.eventTimeMillis() + recentlyRelatedMillis : GraphState.FOREVER;
        state.put(GraphState.ATTACHMENT + name, node, expiresAt);
        if (pv != null) {
            state.put(GraphState.ATTACHED_PV + pv + "|" + name, node, expiresAt);
        }
    }

    static boolean isVolumeLifecycle(AuditEvent e) {
        Integer code = e.responseCode();
        return "persistentvolumes".equals(e.resource()) && code != null && code < 300 && "ResponseComplete".equals(e.stage)
                && Set.of("create", "update", "patch", "delete").contains(e.verb);
    }

    /** The PV controller binds a PV to its claim (claimRef); a deleted PV stays related a while. */
    void updateVolumes(AuditEvent e, ExpiringState state) {
        JsonNode pv = PodLifecycle.logged(e, "PersistentVolume");
        if (pv == null) {
            return;
        }
        String name = pv.path("metadata").path("name").asText(e.objectName());
        JsonNode claimRef = pv.path("spec").path("claimRef");
        if (name == null || !claimRef.hasNonNull("name") || !claimRef.hasNonNull("namespace")) {
            return;
        }
        long expiresAt = "delete".equals(e.verb) ? e.eventTimeMillis() + recentlyRelatedMillis : GraphState.FOREVER;
        state.put(GraphState.PV_CLAIM + name, claimRef.get("namespace").asText() + "/" + claimRef.get("name").asText(), expiresAt);
    }

    private final long recentlyRelatedMillis;

    /** @param recentlyRelatedMillis how long a detached or deleted volume still counts for its node */
    VolumeLifecycle(long recentlyRelatedMillis) {
        this.recentlyRelatedMillis = recentlyRelatedMillis;
    }
}
