package io.auditwatch.detections;

import io.auditwatch.alert.Level;
import io.auditwatch.engine.Detection;
import io.auditwatch.engine.RuleDefinition;
import io.auditwatch.event.AuditEvent;
import java.util.List;

/** Exec or attach into a pod. Any verb: kubectl 1.30+ uses {@code get} over WebSockets, older {@code create}. */
public final class PodExec implements Detection {
    private static final RuleDefinition RULE = new RuleDefinition("pod-exec", "Exec or attach into a pod",
            Level.MEDIUM, List.of("attack.execution", "attack.t1609"),
            List.of("falco:Attach/Exec Pod", "panther:Kubernetes.Pod.Exec", "elastic:Kubernetes User Exec into Pod"));

    @Override
    public RuleDefinition rule() {
        return RULE;
    }

    @Override
    public boolean matches(AuditEvent e) {
        String sub = e.subresource();
        return "pods".equals(e.resource()) && ("exec".equals(sub) || "attach".equals(sub)) && e.allowed();
    }

    @Override
    public String summary(AuditEvent e) {
        return e.subresource() + " into pod " + e.namespace() + "/" + e.objectName();
    }

    @Override
    public String explanation(AuditEvent e) {
        return e.username() + " opened an interactive " + e.subresource() + " session in pod " + e.namespace() + "/"
                + e.objectName() + " from " + Describe.sources(e) + ". A shell in a running container is how an"
                + " attacker reads its mounted service-account token and secrets; confirm the session was"
                + " expected (on-call debugging, a change ticket) and who holds this credential.";
    }
}
