package io.auditwatch.nodegraph;

import java.util.Set;
import java.util.TreeSet;

/**
 * A pod as the graph knows it. {@code specKnown} is false when the pod was seen only at audit level Metadata
 * (no spec): its references are unknown, so its node gets no "unrelated" verdicts in its namespace.
 */
record PodRecord(String name, String node, boolean specKnown, Set<String> refs) {
    PodRecord withNode(String newNode) {
        return new PodRecord(name, newNode, specKnown, refs);
    }

    /** As stored: name, node, "1" if the spec is known else "0", then each reference, as {@link Fields}. */
    String encode() {
        StringBuilder out = new StringBuilder(64);
        Fields.append(Fields.append(Fields.append(out, name), node), specKnown ? "1" : "0");
        for (String ref : refs) {
            Fields.append(out, ref);
        }
        return out.toString();
    }

    /** Reads {@link #encode()}'s form, or the JSON that earlier versions stored. */
    static PodRecord decode(String stored) {
        if (stored.startsWith("{")) {
            return GraphState.read(stored, PodRecord.class);
        }
        Fields.Reader in = new Fields.Reader(stored);
        String name = in.next();
        String node = in.next();
        boolean specKnown = "1".equals(in.next());
        Set<String> refs = new TreeSet<>();
        while (in.hasNext()) {
            refs.add(in.next());
        }
        return new PodRecord(name, node, specKnown, refs);
    }
}
