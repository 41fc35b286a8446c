package io.auditwatch.nodegraph;

import io.auditwatch.event.AuditEvent;
import io.auditwatch.identity.Identity;
import io.auditwatch.identity.IdentityKind;
import java.util.function.Function;

/**
 * An allowed access waiting out its grace window, as the graph stores it: what its verdict needs (namespace,
 * target, identity) ahead of the event's JSON, so that the event is parsed only when the access alerts (most
 * verdicts are "related" or "unknown"). Each field is stored as its length, ':' and itself, or '-' for none, so
 * any character may occur in it. A value that is the event's JSON alone was queued by an earlier version.
 */
record PendingAccess(String namespace, NodeGraph.Target target, Identity who, String event) {
    private static final int FIELDS = 13;

    static PendingAccess of(AuditEvent e, String json) {
        return new PendingAccess(e.namespace(), NodeGraph.Target.of(e), e.identity(), json);
    }

    String encode() {
        StringBuilder out = new StringBuilder(event.length() + 256);
        for (String field : new String[] {namespace, target.kind(), target.name(), target.podUid(), who.kind().name(),
                who.username(), who.node(), who.nodeUid(), who.pod(), who.podUid(), who.credentialId(),
                who.serviceAccountNamespace(), who.serviceAccountName()}) {
            if (field == null) {
                out.append('-');
            } else {
                out.append(field.length()).append(':').append(field);
            }
        }
        return out.append(event).toString();
    }

    /** @param read parses an event's JSON; only values queued by an earlier version need it */
    static PendingAccess decode(String stored, Function<String, AuditEvent> read) {
        if (stored.startsWith("{")) {
            return of(read.apply(stored), stored);
        }
        String[] fields = new String[FIELDS];
        int at = 0;
        for (int i = 0; i < fields.length; i++) {
            if (stored.charAt(at) == '-') {
                at++;
                continue;
            }
            int colon = stored.indexOf(':', at);
            int end = colon + 1 + Integer.parseInt(stored, at, colon, 10);
            fields[i] = stored.substring(colon + 1, end);
            at = end;
        }
        return new PendingAccess(fields[0], new NodeGraph.Target(fields[1], fields[2], fields[3]),
                new Identity(IdentityKind.valueOf(fields[4]), fields[5], fields[6], fields[7], fields[8], fields[9],
                        fields[10], fields[11], fields[12]),
                stored.substring(at));
    }
}
