package io.auditwatch.engine;

import io.auditwatch.alert.Alert;
import io.auditwatch.event.AuditEvent;
import io.auditwatch.identity.Identity;
import io.auditwatch.objects.Workload;
import java.time.Instant;
import java.util.List;

/**
 * Builds alerts from events, the same way for every analysis: identity and target from the event, a dedup key
 * that groups repeats of one finding (rule, cluster, identity, target) for paging.
 */
public final class Alerts {
    private Alerts() {
    }

    /** An alert raised by one event; {@code id} must be a deterministic function of the rule and the request(s). */
    public static Alert single(RuleDefinition rule, AuditEvent event, String id, String summary, String explanation) {
        Alert.Target target = target(event);
        Alert.AlertIdentity identity = identity(event);
        String time = Instant.ofEpochMilli(event.eventTimeMillis()).toString();
        return new Alert(id, rule.ref(event), event.cluster(), identity, target, summary, explanation,
                List.of(evidence(event)), time, time, 1, dedupKey(rule, event.cluster(), identity, target));
    }

    /**
     * An alert whose finding is a workload: its target is the workload that runs the pod spec, and its dedup key
     * leaves out who wrote it, so a Deployment created by a person and the pods its controllers create from it
     * are one finding.
     */
    public static Alert forWorkload(RuleDefinition rule, AuditEvent event, Workload workload, String id, String summary,
                                    String explanation) {
        Alert.Target target = new Alert.Target(workload.resource(), workload.namespace(), workload.name(), null, null);
        String time = Instant.ofEpochMilli(event.eventTimeMillis()).toString();
        String dedupKey = rule.id() + ":" + RequestKey.digest(String.join("|", rule.id(), event.cluster(), "workload",
                workload.key()), 24);
        return new Alert(id, rule.ref(event), event.cluster(), identity(event), target, summary, explanation,
                List.of(evidence(event)), time, time, 1, dedupKey);
    }

    /**
     * An alert raised by a correlation when {@code event} completed it: identity and target from that event,
     * {@code count} requests since {@code firstSeenMillis}.
     */
    public static Alert correlated(RuleDefinition rule, AuditEvent event, String id, String summary, String explanation,
                                   long count, long firstSeenMillis) {
        Alert.Target target = target(event);
        Alert.AlertIdentity identity = identity(event);
        return new Alert(id, rule.ref(event), event.cluster(), identity, target, summary, explanation,
                List.of(evidence(event)), Instant.ofEpochMilli(firstSeenMillis).toString(),
                Instant.ofEpochMilli(event.eventTimeMillis()).toString(), count,
                dedupKey(rule, event.cluster(), identity, target));
    }

    public static Alert.Target target(AuditEvent event) {
        return new Alert.Target(event.resource(), event.namespace(), event.objectName(), event.subresource(),
                event.objectRef == null ? event.requestURI : null);
    }

    public static Alert.AlertIdentity identity(AuditEvent event) {
        Identity who = event.identity();
        String impersonated = event.impersonatedUser == null ? null : event.impersonatedUser.username();
        return new Alert.AlertIdentity(who.username(), who.kind().json(), who.node(),
                who.pod() == null ? null : (who.serviceAccountNamespace() + "/" + who.pod()), who.credentialId(),
                impersonated);
    }

    /** Groups repeats of one finding: same rule, cluster, identity and target. */
    public static String dedupKey(RuleDefinition rule, String cluster, Alert.AlertIdentity identity, Alert.Target target) {
        return rule.id() + ":" + RequestKey.digest(String.join("|", rule.id(), cluster, identity.username(),
                String.valueOf(identity.impersonatedUser()), String.valueOf(target.resource()),
                String.valueOf(target.subresource()), String.valueOf(target.namespace()),
                String.valueOf(target.name()), String.valueOf(target.requestURI())), 24);
    }

    /** A compact copy of one event for an alert's evidence. */
    public static Alert.Evidence evidence(AuditEvent e) {
        return new Alert.Evidence(e.auditID, e.stage, e.verb, e.requestURI, e.responseCode(),
                e.annotation(AuditEvent.DECISION_ANNOTATION), e.sourceIPs, e.userAgent,
                e.requestReceivedTimestamp != null ? e.requestReceivedTimestamp
                        : Instant.ofEpochMilli(e.eventTimeMillis()).toString());
    }
}
