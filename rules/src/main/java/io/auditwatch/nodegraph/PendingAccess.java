package io.auditwatch.nodegraph;

import io.auditwatch.event.AuditEvent;
import io.auditwatch.identity.Identity;
import io.auditwatch.identity.IdentityKind;
import java.util.function.Function;

/**
 * An allowed access waiting out its grace window, as the graph stores it: what its verdict needs (namespace,
 * target, identity) as {@link Fields}, then the event's JSON, so that the event is parsed only when the access
 * alerts (most verdicts are "related" or "unknown"). A value that is the event's JSON alone was queued by an
 * earlier version.
 */
record PendingAccess(String namespace, Target target, Identity who, String event) {
    static PendingAccess of(AuditEvent e, String json) {
        return new PendingAccess(e.namespace(), Target.of(e), e.identity(), json);
    }

    String encode() {
        StringBuilder out = new StringBuilder(event.length() + 256);
        for (String field : new String[] {namespace, target.kind(), target.name(), target.podUid(), who.kind().name(),
                who.username(), who.node(), who.nodeUid(), who.pod(), who.podUid(), who.credentialId(),
                who.serviceAccountNamespace(), who.serviceAccountName()}) {
            Fields.append(out, field);
        }
        return out.append(event).toString();
    }

    /** @param read parses an event's JSON; only values queued by an earlier version need it */
    static PendingAccess decode(String stored, Function<String, AuditEvent> read) {
        if (stored.startsWith("{")) {
            return of(read.apply(stored), stored);
        }
        Fields.Reader in = new Fields.Reader(stored);
        String namespace = in.next();
        Target target = new Target(in.next(), in.next(), in.next());
        Identity who = new Identity(IdentityKind.valueOf(in.next()), in.next(), in.next(), in.next(), in.next(),
                in.next(), in.next(), in.next(), in.next());
        return new PendingAccess(namespace, target, who, in.rest());
    }
}
