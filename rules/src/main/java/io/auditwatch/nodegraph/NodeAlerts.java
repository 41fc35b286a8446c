package io.auditwatch.nodegraph;

import io.auditwatch.alert.Alert;
import io.auditwatch.engine.Alerts;
import io.auditwatch.engine.RequestKey;
import io.auditwatch.engine.RuleDefinition;
import io.auditwatch.event.AuditEvent;

/** The words of the node graph's alerts: what the credential did, and which nodes the object belongs to. */
final class NodeAlerts {
    /** The alert of {@code rule}, as its rule document describes it, with the graph's account of why. */
    /** @param graceMillis the grace window an allowed access waited out, which the explanation names */
    static Alert of(RuleDefinition rule, AuditEvent e, Target target, Relation relation, long graceMillis) {
        String id = RequestKey.digest(rule.id() + "|" + RequestKey.of(e), 32);
        String node = e.identity().node();
        String object = target.describe(e.namespace());
        String who = e.identity().isNode() ? "the kubelet of node " + node
                : "a pod token bound to node " + node + " (" + e.username()
                        + (e.identity().pod() == null ? "" : ", pod " + e.identity().pod()) + ")";
        String others = relation == null || relation.otherNodes().isEmpty() ? ""
                : Target.VOLUMES.containsValue(target.kind())
                ? " It is attached only to " + String.join(", ", relation.otherNodes()) + "."
                : " Only pods on " + String.join(", ", relation.otherNodes()) + " reference it.";
        String summary;
        String explanation;
        if (rule.id().equals(NodeRules.DENIED)) {
            summary = "node " + node + " denied " + e.verb + " " + object;
            explanation = (relation == null
                    ? "The kubelet of node " + node + " asked for every " + target.kind() + " in " + e.namespace()
                            + " (" + e.verb + " without a name) and was denied. Kubelets ask for the objects of their own pods by name;"
                    : relation.kind() == Relation.Kind.UNKNOWN
                    ? "The kubelet of node " + node + " was denied " + e.verb + " on " + object + ", its "
                            + NodeGraph.PROBE_DISTINCT_OBJECTS + "th distinct denied object in " + e.namespace() + " within "
                            + NodeGraph.PROBE_WINDOW_MILLIS / 60_000 + " minutes, none of them used by its pods as far as the graph knows."
                            + " A kubelet asks for what its pods mount;"
                    : "The kubelet of node " + node + " was denied " + e.verb + " on " + object + "." + others
                            + " A kubelet has no reason to ask for another node's objects;")
                    + " this is what a stolen node credential probing for secrets looks like. Check the node for compromise.";
        } else {
            summary = (e.identity().isNode() ? "node " : "node-bound token on ") + node + " " + e.verb + " " + object;
            explanation = "Event-time grace of " + graceMillis / 1000 + " s passed and the access stands: " + who
                    + " was allowed to " + e.verb + " " + object + ", which no pod on " + node + " references." + others
                    + " An attacker who escaped a pod onto " + node + " holds this credential; reaching objects of pods"
                    + " on other nodes is lateral movement. If this is an agent that legitimately reads cluster-wide,"
                    + " add an exception for it." + authorizerSaid(e);
        }
        return Alerts.single(rule, e, id, summary, explanation);
    }

    /**
     * What the API server's authorizer said, for triage: the Node authorizer allows with an empty reason, and only
     * what its own graph relates to the node, so an empty reason points at a pod this graph never saw; RBAC names
     * the binding that let the credential through.
     */
    private static String authorizerSaid(AuditEvent e) {
        String reason = e.annotation(AuditEvent.REASON_ANNOTATION);
        if (reason == null || !e.identity().isNode()) {
            return reason == null || reason.isEmpty() ? "" : " The API server allowed it by " + reason + ".";
        }
        return reason.isEmpty()
                ? " The API server allowed it with an empty reason, as its Node authorizer allows what it relates to the"
                        + " node: check first whether the node runs a pod that predates the audit stream (run"
                        + " `auditwatch snapshot`), then the node."
                : " The API server allowed it by " + reason + ", not by its Node authorizer: the node's credential"
                        + " reaches beyond what the Node authorizer grants.";
    }

    private NodeAlerts() {
    }
}
