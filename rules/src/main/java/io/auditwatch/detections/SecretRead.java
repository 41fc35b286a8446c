package io.auditwatch.detections;

import io.auditwatch.alert.Level;
import io.auditwatch.engine.Detection;
import io.auditwatch.engine.RuleDefinition;
import io.auditwatch.event.AuditEvent;
import java.util.List;
import java.util.Set;

/**
 * A person reading secrets. Service accounts, nodes and control-plane components read secrets all day by
 * design; flagging them is the noise that drowns a SOC, so only human users count here.
 */
public final class SecretRead implements Detection {
    private static final Set<String> READ_VERBS = Set.of("get", "list", "watch");
    private static final RuleDefinition RULE = new RuleDefinition("secret-read", "Secret read by a human user",
            Level.MEDIUM, List.of("attack.credential_access", "attack.t1552.007"),
            List.of());

    @Override
    public RuleDefinition rule() {
        return RULE;
    }

    @Override
    public boolean matches(AuditEvent e) {
        return "secrets".equals(e.resource()) && e.subresource() == null && READ_VERBS.contains(e.verb)
                && e.allowed() && e.identity().isHuman();
    }

    @Override
    public String summary(AuditEvent e) {
        return e.verb + " secret" + (e.objectName() == null ? "s" : " " + e.objectName())
                + (e.namespace() == null ? " in all namespaces" : " in " + e.namespace());
    }

    @Override
    public String explanation(AuditEvent e) {
        String what = e.objectName() == null
                ? "read every secret" + (e.namespace() == null ? " in the cluster" : " in namespace " + e.namespace())
                : "read secret " + e.namespace() + "/" + e.objectName();
        return e.username() + " " + what + " with verb " + e.verb + " from " + Describe.sources(e)
                + ". People rarely need secret values; workloads get them mounted. If this was not a"
                + " deliberate break-glass action, treat the secret values as exposed and rotate them.";
    }
}
