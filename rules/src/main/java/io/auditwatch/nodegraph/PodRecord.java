package io.auditwatch.nodegraph;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Set;

/**
 * A pod as the graph knows it. {@code specKnown} is false when the pod was seen only at audit level Metadata
 * (no spec): its references are unknown, so its node gets no "unrelated" verdicts in its namespace.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record PodRecord(String name, String node, boolean specKnown, Set<String> refs) {
    PodRecord withNode(String newNode) {
        return new PodRecord(name, newNode, specKnown, refs);
    }
}
