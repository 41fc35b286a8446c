package io.auditwatch.nodegraph;

import io.auditwatch.identity.Identity;
import io.auditwatch.state.ExpiringState;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;

/**
 * The verdict on an object a node credential touched: related to the node, unrelated (known pods reference it, all
 * on other nodes), or unknown. Unknown is never unrelated: a pod whose spec was never seen makes its node blind.
 */
final class Verdicts {
    /** How long a kubelet's access to a pod we never saw keeps its node "blind" in that namespace. */
    static final long BLIND_MEMORY_MILLIS = Duration.ofHours(24).toMillis();

    /**
     * @param verdict whether this is the verdict: then a pod we never saw makes a kubelet's node blind. Else only
     *                RELATED counts (the access waits for its verdict otherwise), and what falls short of it by the
     *                node's own references comes back UNKNOWN without a look at other nodes' references.
     */
    static Relation relation(ExpiringState state, String ns, Target target, Identity who, boolean verdict) {
        String node = who.node();
        if (Target.VOLUMES.containsValue(target.kind())) {
            return attachmentRelation(state, target, node);
        }
        if ("pod".equals(target.kind())) {
            PodRecord pod = GraphState.pod(state, ns, target.podUid());
            if (pod == null) {
                pod = GraphState.podByName(state, ns, target.name());
            }
            if (pod == null || pod.node() == null) {
                if (who.isNode() && verdict) {
                    // The kubelet runs a pod we never saw created: its references are unknown, so no verdicts
                    // for this node in this namespace until the pod is learned or gone.
                    state.put(GraphState.BLIND + node + "|" + ns + "|name:" + target.name(), "", state.now() + BLIND_MEMORY_MILLIS);
                }
                return Relation.UNKNOWN;
            }
            return pod.node().equals(node) ? Relation.RELATED : Relation.unrelated(Set.of(pod.node()));
        }
        String ref = target.kind() + "/" + target.name();
        if (who.isServiceAccount() && ns.equals(who.serviceAccountNamespace())) {
            // A pod token speaks for its own pod: unknown pod, unknown references. Its pod can reference objects
            // of its own namespace only, so it is not looked up for others: live, their graph is in another task.
            PodRecord own = who.pod() == null ? null : GraphState.podByName(state, ns, who.pod());
            if (own == null || !own.specKnown()) {
                return Relation.UNKNOWN;
            }
            if (own.refs().contains(ref)) {
                return Relation.RELATED;
            }
        }
        String refs = GraphState.REF + ns + "|" + ref + "|";
        // The common case first: a kubelet reading what its own pods mount is one short range, however many pods
        // on other nodes reference the object (every pod of a namespace mounts kube-root-ca.crt).
        // The own range holds every reference by a pod on this node (a key's node part is the pod's node), so
        // nothing further can make the object related.
        boolean[] own = {false};
        state.range(refs + node + "|", (key, refNode) -> own[0] = true);
        if (own[0]) {
            return Relation.RELATED;
        }
        if (!verdict) {
            return Relation.UNKNOWN;
        }
        // Blind before the other nodes' references: it settles most verdicts in one short range.
        boolean[] blind = {false};
        state.range(GraphState.BLIND + node + "|" + ns + "|", (key, value) -> blind[0] = true);
        if (blind[0]) {
            return Relation.UNKNOWN;
        }
        Set<String> nodes = new TreeSet<>();
        Set<String> daemonSets = new TreeSet<>();
        state.range(refs, (key, value) -> {
            int bar = value.indexOf('|'); // node, then the DaemonSet of the referencing pod if it has one
            if (bar >= 0) {
                daemonSets.add(value.substring(bar + 1));
            }
            String refNode = bar >= 0 ? value.substring(0, bar) : value;
            if (!refNode.isEmpty()) { // earlier versions stored the references of unbound pods, under no node
                nodes.add(refNode);
            }
        });
        // A DaemonSet runs a pod on (nearly) every node: if this node's was never seen (it predates the stream), the
        // object is likely its own too, however many other nodes' pods of that DaemonSet the graph has seen.
        for (String daemonSet : daemonSets) {
            boolean[] seenHere = {false};
            state.range(GraphState.REF + ns + "|" + GraphState.DAEMON_SET_REF + daemonSet + "|" + node + "|", (key, value) -> seenHere[0] = true);
            if (!seenHere[0]) {
                return Relation.UNKNOWN;
            }
        }
        return nodes.isEmpty() ? Relation.UNKNOWN : Relation.unrelated(nodes);
    }

    /**
     * A PV is the node's while an attachment binds it there or a pod on the node uses the claim it is bound to
     * (the Node Authorizer's node→pod→PVC→PV edge); an attachment is the node's it names.
     */
    static Relation attachmentRelation(ExpiringState state, Target target, String node) {
        Set<String> nodes = new TreeSet<>();
        if ("volumeattachment".equals(target.kind())) {
            String attached = state.get(GraphState.ATTACHMENT + target.name());
            if (attached != null) {
                nodes.add(attached);
            }
        } else {
            state.range(GraphState.ATTACHED_PV + target.name() + "|", (key, attachedNode) -> nodes.add(attachedNode));
            String claim = state.get(GraphState.PV_CLAIM + target.name());
            if (claim != null) {
                state.range(GraphState.CLAIM_USE + claim + "|", (key, usingNode) -> nodes.add(usingNode));
            }
        }
        if (nodes.isEmpty()) {
            return Relation.UNKNOWN; // neither attached through a VolumeAttachment nor claimed by a known pod
        }
        return nodes.contains(node) ? Relation.RELATED : Relation.unrelated(nodes);
    }

    private Verdicts() {
    }
}
