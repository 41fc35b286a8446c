package io.auditwatch.nodegraph;

import io.auditwatch.alert.Level;
import io.auditwatch.engine.RuleDefinition;
import java.util.List;

/** The node-identity rules: our reason to exist; no other detector rebuilds the Node Authorizer's graph. */
public final class NodeRules {
    private static final List<String> LATERAL = List.of("attack.lateral_movement", "attack.t1550.001",
            "attack.credential_access", "attack.t1552.007");

    public static final RuleDefinition DENIED = new RuleDefinition("node-credential-denied",
            "Node credential denied access to another node's objects", Level.HIGH, LATERAL, List.of());
    public static final RuleDefinition UNRELATED_ACCESS = new RuleDefinition("node-credential-unrelated-access",
            "Node credential accessed an object no pod on its node uses", Level.CRITICAL, LATERAL, List.of());
    public static final RuleDefinition NON_NODE_ACTION = new RuleDefinition("node-credential-non-node-action",
            "Node credential did what no kubelet does", Level.CRITICAL,
            List.of("attack.privilege_escalation", "attack.lateral_movement", "attack.t1078"), List.of());
    public static final RuleDefinition CROSS_NODE = new RuleDefinition("node-token-cross-node-access",
            "Node-bound pod token reached an object of pods on other nodes", Level.CRITICAL, LATERAL, List.of());

    public static final RuleDefinition FOREIGN_SOURCE = new RuleDefinition("node-token-foreign-source",
            "Node-bound pod token used from a foreign address", Level.HIGH,
            List.of("attack.credential_access", "attack.t1528", "attack.defense_evasion", "attack.t1550.001"), List.of());

    private NodeRules() {
    }
}
