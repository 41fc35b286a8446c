package io.auditwatch.detections;

import io.auditwatch.alert.Level;
import io.auditwatch.engine.Detection;
import io.auditwatch.engine.RuleDefinition;
import io.auditwatch.event.AuditEvent;
import java.util.List;

/** Port-forward to a pod: a tunnel around network policies and ingress controls. */
public final class PodPortForward implements Detection {
    private static final RuleDefinition RULE = new RuleDefinition("pod-portforward", "Port-forward to a pod",
            Level.MEDIUM, List.of("attack.command_and_control", "attack.t1090", "attack.t1572"),
            List.of());

    @Override
    public RuleDefinition rule() {
        return RULE;
    }

    @Override
    public boolean matches(AuditEvent e) {
        return "pods".equals(e.resource()) && "portforward".equals(e.subresource()) && e.allowed();
    }

    @Override
    public String summary(AuditEvent e) {
        return "port-forward to pod " + e.namespace() + "/" + e.objectName();
    }

    @Override
    public String explanation(AuditEvent e) {
        return e.username() + " opened a port-forward tunnel to pod " + e.namespace() + "/" + e.objectName()
                + " from " + Describe.sources(e) + ". The tunnel bypasses network policies and ingress"
                + " authentication and reaches the pod's ports (databases, admin endpoints) directly;"
                + " confirm it was expected.";
    }
}
