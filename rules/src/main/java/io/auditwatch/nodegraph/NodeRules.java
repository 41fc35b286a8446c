package io.auditwatch.nodegraph;

import io.auditwatch.engine.Detection;
import io.auditwatch.engine.RuleDefinition;
import java.util.Map;
import java.util.function.Function;

/**
 * The node-identity rules: our reason to exist; no other detector rebuilds the Node Authorizer's graph. Their logic
 * is Java ({@link NodeGraph}, {@link TokenSources}, {@link NodeCredentialNonNodeAction}); everything else about them
 * (title, level, tags, equivalents, description, exceptions) is their document in the default pack, {@code pack/node.yml},
 * as for every rule, and their fixtures are in {@code replay-data/rules/<id>/}.
 */
public final class NodeRules {
    /** Raised by {@link NodeGraph}. */
    public static final String DENIED = "node-credential-denied";
    /** Raised by {@link NodeGraph}. */
    public static final String UNRELATED_ACCESS = "node-credential-unrelated-access";
    /** Raised by {@link NodeGraph}. */
    public static final String CROSS_NODE = "node-token-cross-node-access";
    /** Raised by {@link TokenSources}. */
    public static final String FOREIGN_SOURCE = "node-token-foreign-source";
    /** A single-event detection, run by the rule engine ({@code analysis: engine}). */
    public static final String NON_NODE_ACTION = "node-credential-non-node-action";

    /** The single-event detections written in Java, by id, each built from its rule document's definition. */
    public static final Map<String, Function<RuleDefinition, Detection>> DETECTIONS =
            Map.of(NON_NODE_ACTION, NodeCredentialNonNodeAction::new);

    private NodeRules() {
    }
}
