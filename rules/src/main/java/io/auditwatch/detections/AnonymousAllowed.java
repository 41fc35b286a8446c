package io.auditwatch.detections;

import io.auditwatch.alert.Level;
import io.auditwatch.engine.Detection;
import io.auditwatch.engine.RuleDefinition;
import io.auditwatch.event.AuditEvent;
import java.util.List;

/**
 * An unauthenticated request that the API server allowed, other than the health and discovery endpoints that
 * clusters expose to anonymous callers on purpose. Usually a binding to system:anonymous that should not exist.
 */
public final class AnonymousAllowed implements Detection {
    private static final List<String> PUBLIC_PATHS = List.of("/healthz", "/livez", "/readyz", "/version",
            "/openapi", "/.well-known/openid-configuration", "/openid/v1/jwks", "/api", "/apis");
    private static final RuleDefinition RULE = new RuleDefinition("anonymous-allowed",
            "Anonymous request allowed", Level.HIGH, List.of("attack.initial_access", "attack.t1078.001"),
            List.of("falco:Anonymous Request Allowed", "panther:Kubernetes.API.AnonymousAccess",
                    "panther:Amazon.EKS.AnonymousAPIAccess", "elastic:Kubernetes Anonymous Request Authorized"));

    @Override
    public RuleDefinition rule() {
        return RULE;
    }

    @Override
    public boolean matches(AuditEvent e) {
        return e.identity().isAnonymous() && e.allowed() && !isPublicEndpoint(e);
    }

    /** A health or discovery path: no object, and the path is (under) one of the public prefixes. */
    static boolean isPublicEndpoint(AuditEvent e) {
        if (e.objectRef != null && e.resource() != null) {
            return false;
        }
        String path = e.requestURI == null ? "" : e.requestURI;
        int query = path.indexOf('?');
        if (query >= 0) {
            path = path.substring(0, query);
        }
        for (String prefix : PUBLIC_PATHS) {
            if (path.equals(prefix) || path.startsWith(prefix + "/")) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String summary(AuditEvent e) {
        return "anonymous " + e.verb + " " + (e.resource() != null ? e.resource() : e.requestURI) + " allowed";
    }

    @Override
    public String explanation(AuditEvent e) {
        String reason = e.annotation(AuditEvent.REASON_ANNOTATION);
        return "An unauthenticated caller (" + Describe.sources(e) + ") was allowed to " + e.verb + " "
                + e.requestURI + (reason == null || reason.isEmpty() ? "" : " (" + reason + ")")
                + ". Anyone who can reach the API server has this access. Remove the binding that grants"
                + " system:anonymous or system:unauthenticated more than health checks.";
    }
}
