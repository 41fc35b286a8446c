package io.auditwatch.alert;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * What auditwatch tells a SOC, in the shape docs/design.md describes. {@code id} is a function of the rule and the
 * requests that raised it, so live and replay give the same ids; {@code dedupKey} groups repeats of one
 * finding (same rule, cluster, identity and target) for paging. {@code status} is absent while the finding
 * stands and {@value #RESOLVED} when a rule declares that its condition cleared (PagerDuty then resolves the
 * incident with the same dedup key).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"id", "rule", "cluster", "identity", "target", "summary", "explanation", "evidence",
        "firstSeen", "lastSeen", "count", "dedupKey", "status"})
public record Alert(String id, RuleRef rule, String cluster, AlertIdentity identity, Target target,
                    String summary, String explanation, List<Evidence> evidence, String firstSeen,
                    String lastSeen, long count, String dedupKey, String status) {
    public static final String RESOLVED = "resolved";

    /** A finding that stands (no status). */
    public Alert(String id, RuleRef rule, String cluster, AlertIdentity identity, Target target, String summary,
                 String explanation, List<Evidence> evidence, String firstSeen, String lastSeen, long count,
                 String dedupKey) {
        this(id, rule, cluster, identity, target, summary, explanation, evidence, firstSeen, lastSeen, count,
                dedupKey, null);
    }

    /** The rule declared that the condition of the finding with this dedup key cleared. */
    public boolean resolved() {
        return RESOLVED.equals(status);
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RuleRef(String id, String title, Level level, List<String> tags, List<String> equivalents) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AlertIdentity(String username, String kind, String node, String pod, String credentialId,
                                String impersonatedUser) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Target(String resource, String namespace, String name, String subresource, String requestURI) {
    }

    /** A compact copy of one event: enough to find it in the raw log and to judge it at a glance. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Evidence(String auditID, String stage, String verb, String requestURI, Integer code,
                           String decision, List<String> sourceIPs, String userAgent,
                           String requestReceivedTimestamp) {
    }
}
