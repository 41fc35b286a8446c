package io.auditwatch.nodegraph;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditwatch.event.AuditEvent;
import io.auditwatch.state.ExpiringState;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Pods as the graph learns them: creates (the pod's spec and references), bindings (its node), ephemeral containers,
 * and deletes, after which a pod stays "recently related" to its node while its kubelet tears it down.
 */
final class PodLifecycle {
    static boolean isPodLifecycle(AuditEvent e) {
        Integer code = e.responseCode();
        if (!"pods".equals(e.resource()) || code == null || code >= 300 || !"ResponseComplete".equals(e.stage)) {
            return false;
        }
        String sub = e.subresource();
        return sub == null && ("create".equals(e.verb) || "delete".equals(e.verb))
                || "binding".equals(sub) && "create".equals(e.verb)
                || "ephemeralcontainers".equals(sub);
    }

    void update(AuditEvent e, ExpiringState state, Consumer<AuditEvent> forward) {
        String ns = e.namespace();
        String sub = e.subresource();
        if ("binding".equals(sub)) {
            String node = e.requestObject == null ? null : e.requestObject.path("target").path("name").asText(null);
            String name = e.objectName();
            if (node == null || name == null) {
                return;
            }
            String uid = state.get(GraphState.NAME + ns + "|" + name);
            PodRecord pod = GraphState.pod(state, ns, uid);
            if (pod == null) {
                // Bound but never seen created: its spec is unknown.
                putPod(state, ns, "name:" + name, new PodRecord(name, node, false, Set.of()), GraphState.FOREVER, e, forward);
            } else {
                putPod(state, ns, uid, pod.withNode(node), GraphState.FOREVER, e, forward);
            }
            return;
        }
        JsonNode pod = podObject(e);
        if ("delete".equals(e.verb)) {
            delete(e, pod, state, forward);
            return;
        }
        String name = pod != null ? pod.path("metadata").path("name").asText(e.objectName()) : e.objectName();
        if (name == null) {
            return;
        }
        String uid = pod != null && pod.path("metadata").hasNonNull("uid") ? pod.path("metadata").path("uid").asText()
                : "name:" + name;
        String node = pod == null ? null : pod.path("spec").path("nodeName").asText(null);
        if (node == null) {
            String previousUid = state.get(GraphState.NAME + ns + "|" + name);
            PodRecord previous = "ephemeralcontainers".equals(e.subresource()) || uid.equals(previousUid)
                    ? GraphState.pod(state, ns, previousUid) : null;
            node = previous == null ? null : previous.node();
        }
        boolean specKnown = pod != null && pod.has("spec");
        Set<String> refs = specKnown ? new TreeSet<>(PodRefs.of(pod)) : Set.of();
        String daemonSet = pod == null ? null : PodRefs.daemonSet(pod);
        if (specKnown && daemonSet != null) {
            refs.add(PodRefs.DAEMON_SET + "/" + daemonSet);
        }
        putPod(state, ns, uid, new PodRecord(name, node, specKnown, refs), GraphState.FOREVER, e, forward);
    }

    /**
     * A graceful delete leaves the pod terminating (still entitled); the final delete (by its kubelet, or with
     * grace period 0) removes it after the recently-related window.
     */
    void delete(AuditEvent e, JsonNode pod, ExpiringState state, Consumer<AuditEvent> forward) {
        boolean immediate = e.identity().isNode()
                || e.requestObject != null && e.requestObject.path("gracePeriodSeconds").asLong(-1) == 0;
        if (!immediate) {
            return;
        }
        String ns = e.namespace();
        String uid = pod != null && pod.path("metadata").hasNonNull("uid") ? pod.path("metadata").path("uid").asText()
                : state.get(GraphState.NAME + ns + "|" + e.objectName());
        String stored = uid == null ? null : state.get(GraphState.POD + ns + "|" + uid);
        if (stored == null) {
            return;
        }
        putPod(state, ns, uid, PodRecord.decode(stored), e.eventTimeMillis() + recentlyRelatedMillis, e, forward);
    }

    static JsonNode podObject(AuditEvent e) {
        return logged(e, "Pod");
    }

    /** The object of {@code kind} that a write logged: the response's, else the request's; null if neither is one. */
    static JsonNode logged(AuditEvent e, String kind) {
        for (JsonNode candidate : new JsonNode[] {e.responseObject, e.requestObject}) {
            if (candidate != null && kind.equals(candidate.path("kind").asText())) {
                return candidate;
            }
        }
        return null;
    }

    /**
     * Writes a pod, its name index, its references and its blind marker, all expiring together; the claims it
     * uses on its node go to the cluster-scoped partition, where the PVs are.
     */
    static void putPod(ExpiringState state, String ns, String uid, PodRecord pod, long expiresAt,
                               AuditEvent cause, Consumer<AuditEvent> forward) {
        // What the put replaces is the old record, whose references and blind marker go.
        String previous = state.put(GraphState.POD + ns + "|" + uid, pod.encode(), expiresAt);
        PodRecord old = previous == null ? null : PodRecord.decode(previous);
        if (old != null && old.node() != null) {
            for (String ref : old.refs()) {
                state.delete(GraphState.refKey(ns, ref, old.node(), uid));
            }
            GraphState.deleteIfPresent(state, GraphState.BLIND + old.node() + "|" + ns + "|" + uid);
        }
        // A pod's final delete can be logged after its name's reuse (API servers interleave): the name then stays
        // with the newer pod. A live pod takes its name whoever had it.
        String named = expiresAt == GraphState.FOREVER ? null : state.get(GraphState.NAME + ns + "|" + pod.name());
        if (named == null || named.equals(uid)) {
            state.put(GraphState.NAME + ns + "|" + pod.name(), uid, expiresAt);
        }
        if (pod.node() == null) {
            return;
        }
        // A DaemonSet pod's references say which DaemonSet, so that a verdict can tell whether the node may run one.
        String daemonSet = pod.refs().stream().filter(ref -> ref.startsWith(GraphState.DAEMON_SET_REF)).findFirst()
                .map(ref -> "|" + ref.substring(GraphState.DAEMON_SET_REF.length())).orElse("");
        for (String ref : pod.refs()) {
            state.put(GraphState.refKey(ns, ref, pod.node(), uid), ref.startsWith(GraphState.DAEMON_SET_REF) ? pod.node() : pod.node() + daemonSet,
                    expiresAt);
            if (ref.startsWith(PodRefs.PVC + "/")) {
                forward.accept(Forwards.claimUse(ns, ref.substring(PodRefs.PVC.length() + 1), uid, pod.node(), expiresAt, cause));
            }
        }
        if (pod.specKnown()) {
            // Learned at last: the node's kubelet touching it before no longer keeps the node blind.
            GraphState.deleteIfPresent(state, GraphState.BLIND + pod.node() + "|" + ns + "|name:" + pod.name());
        } else {
            state.put(GraphState.BLIND + pod.node() + "|" + ns + "|" + uid, "", expiresAt);
        }
    }

    private final long recentlyRelatedMillis;

    /** @param recentlyRelatedMillis how long a deleted pod still entitles its node */
    PodLifecycle(long recentlyRelatedMillis) {
        this.recentlyRelatedMillis = recentlyRelatedMillis;
    }
}
