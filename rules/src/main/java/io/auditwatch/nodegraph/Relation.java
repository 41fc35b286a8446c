package io.auditwatch.nodegraph;

import java.util.Set;

/**
 * What the graph says of a node and an object. UNKNOWN is never UNRELATED: an object whose referencing pods
 * were never seen (pods older than the stream, audit level Metadata) gives no verdict.
 *
 * @param otherNodes for UNRELATED, the nodes whose pods do reference the object
 */
public record Relation(Kind kind, Set<String> otherNodes) {
    public enum Kind { RELATED, UNRELATED, UNKNOWN }

    static final Relation RELATED = new Relation(Kind.RELATED, Set.of());
    static final Relation UNKNOWN = new Relation(Kind.UNKNOWN, Set.of());

    static Relation unrelated(Set<String> otherNodes) {
        return new Relation(Kind.UNRELATED, otherNodes);
    }
}
