package io.auditwatch.nodegraph;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditwatch.event.AuditEvent;
import io.auditwatch.identity.Identity;
import io.auditwatch.identity.UserInfo;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one partition of the graph sends another through {@code auditwatch.nodegraph.forwards} (replay handles it in
 * place): a claim used on a node, for the cluster-scoped partition where the PVs are; a pod token resolved to its node.
 */
final class Forwards {
    /**
     * The user of the events the graph sends itself between its partitions (a claim used on a node, a pod token
     * resolved to its node); no real credential can be named so.
     */
    static final String USER = "auditwatch:nodegraph";

    static final String CLAIM_USE_VERB = "auditwatch-claim-use";

    /** "A pod of {@code node} uses claim {@code ns/pvc}", for the cluster-scoped partition. */
    static AuditEvent claimUse(String ns, String pvc, String podUid, String node, long expiresAt, AuditEvent cause) {
        ObjectNode event = GraphState.JSON.createObjectNode();
        event.put("kind", "Event");
        event.put("stage", "ResponseComplete");
        event.put("verb", CLAIM_USE_VERB);
        event.putObject("user").put("username", USER);
        event.putObject("objectRef").put("resource", "persistentvolumeclaims").put("namespace", ns).put("name", pvc);
        event.putObject("requestObject").put("pod", podUid).put("node", node).put("expiresAt", expiresAt);
        event.putObject("auditwatch").put("cluster", cause.cluster()).put("eventTime", cause.eventTimeMillis());
        return GraphState.read(event.toString());
    }

    /** The token's event with the node its pod runs on, as a v1.30+ API server would have put in user.extra. */
    static AuditEvent withNode(AuditEvent e, String node) {
        AuditEvent copy = GraphState.read(GraphState.write(e));
        Map<String, List<String>> extra = new LinkedHashMap<>(e.user.extra() == null ? Map.of() : e.user.extra());
        extra.put(Identity.CLAIM_NODE_NAME, List.of(node));
        copy.user = new UserInfo(e.user.username(), e.user.uid(), e.user.groups(), extra);
        return copy;
    }

    private Forwards() {
    }
}
