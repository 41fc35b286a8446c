package io.auditwatch.nodegraph;

import io.auditwatch.engine.Detection;
import io.auditwatch.engine.RuleDefinition;
import io.auditwatch.event.AuditEvent;
import java.util.Set;

/**
 * A node credential doing what no kubelet does: a kubelet never execs into pods, proxies to nodes, writes RBAC,
 * lists every secret, impersonates, or creates pods other than mirror pods. Attempts count, allowed or not:
 * the attempt itself shows someone is driving the credential by hand.
 */
public final class NodeCredentialNonNodeAction implements Detection {
    private static final Set<String> RBAC_WRITES = Set.of("create", "update", "patch", "delete", "deletecollection",
            "bind", "escalate");
    private static final String MIRROR_ANNOTATION = "kubernetes.io/config.mirror";

    private final RuleDefinition rule;

    /** @param rule the rule's definition, from its document in the pack ({@link NodeRules#NON_NODE_ACTION}) */
    public NodeCredentialNonNodeAction(RuleDefinition rule) {
        this.rule = rule;
    }

    @Override
    public RuleDefinition rule() {
        return rule;
    }

    @Override
    public boolean matches(AuditEvent e) {
        return e.identity().isNode() && action(e) != null;
    }

    /** What the kubelet should not have done, in words; null if nothing. */
    static String action(AuditEvent e) {
        String resource = e.resource();
        String sub = e.subresource();
        if ("impersonate".equals(e.verb) || e.impersonatedUser != null) {
            return "impersonation";
        }
        if ("pods".equals(resource) && ("exec".equals(sub) || "attach".equals(sub) || "portforward".equals(sub))) {
            return sub + " into a pod";
        }
        if ("nodes".equals(resource) && "proxy".equals(sub)) {
            return "nodes/proxy (the kubelet API of a node)";
        }
        if (e.objectRef != null && "rbac.authorization.k8s.io".equals(e.objectRef.apiGroup()) && RBAC_WRITES.contains(e.verb)) {
            return "an RBAC write (" + e.verb + " " + resource + ")";
        }
        if (("secrets".equals(resource) || "configmaps".equals(resource)) && ("list".equals(e.verb) || "watch".equals(e.verb))
                && e.selectedName() == null) {
            return e.verb + " of all " + resource;
        }
        if ("pods".equals(resource) && sub == null && "create".equals(e.verb) && e.requestObject != null
                && !e.requestObject.path("metadata").path("annotations").has(MIRROR_ANNOTATION)) {
            return "creating a pod that is not a mirror pod";
        }
        return null;
    }

    @Override
    public String summary(AuditEvent e) {
        return "node " + e.identity().node() + ": " + action(e);
    }

    @Override
    public String explanation(AuditEvent e) {
        return "The credential of node " + e.identity().node() + " was used for " + action(e) + " (" + e.verb + " "
                + e.requestURI + ", " + (e.allowed() ? "allowed" : "denied") + ") from "
                + e.sources() + ". Kubelets never do this; someone holds this node's credential and is"
                + " using it by hand. Isolate the node and rotate its credential.";
    }
}
