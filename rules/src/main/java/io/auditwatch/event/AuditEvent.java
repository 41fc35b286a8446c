package io.auditwatch.event;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.auditwatch.identity.Identity;
import io.auditwatch.identity.UserInfo;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One Kubernetes audit Event ({@code audit.k8s.io/v1}, {@code v1beta1}, or with no apiVersion at all).
 * Typed where detections read; everything else is kept verbatim in {@link #other()} so nothing is lost
 * when an event is re-serialised.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonDeserialize(using = AuditEventDeserializer.class)
@JsonPropertyOrder({"kind", "apiVersion", "level", "auditID", "stage", "requestURI", "verb", "user",
        "impersonatedUser", "sourceIPs", "userAgent", "objectRef", "responseStatus", "requestObject",
        "responseObject", "requestReceivedTimestamp", "stageTimestamp", "annotations"})
public final class AuditEvent {
    public static final String DECISION_ANNOTATION = "authorization.k8s.io/decision";
    public static final String REASON_ANNOTATION = "authorization.k8s.io/reason";

    @JsonProperty public String kind;
    @JsonProperty public String apiVersion;
    @JsonProperty public String level;
    @JsonProperty public String auditID;
    @JsonProperty public String stage;
    @JsonProperty public String requestURI;
    @JsonProperty public String verb;
    @JsonProperty public UserInfo user;
    @JsonProperty public UserInfo impersonatedUser;
    @JsonProperty public List<String> sourceIPs;
    @JsonProperty public String userAgent;
    @JsonProperty public ObjectRef objectRef;
    @JsonProperty public ResponseStatus responseStatus;
    @JsonProperty public JsonNode requestObject;
    @JsonProperty public JsonNode responseObject;
    @JsonProperty public String requestReceivedTimestamp;
    @JsonProperty public String stageTimestamp;
    /** v1alpha1/v1beta1 events carried a single {@code timestamp} instead of the two above. */
    @JsonProperty public String timestamp;
    @JsonProperty public Map<String, String> annotations;
    @JsonProperty("auditwatch") public Provenance provenance;

    private final Map<String, JsonNode> other = new LinkedHashMap<>();
    private Identity identity;
    /** The stageTimestamp that {@link #parsedStageTime} was parsed from (MIN_VALUE if unreadable). */
    private String parsedStageTimestamp;
    private long parsedStageTime;

    void putOther(String name, JsonNode value) {
        other.put(name, value);
    }

    /** Fields this model does not type, verbatim. */
    @JsonAnyGetter
    public Map<String, JsonNode> other() {
        return other;
    }

    /**
     * Event time in epoch millis: the receive time (requestReceivedTimestamp, else the v1alpha1/v1beta1
     * timestamp), else stageTimestamp, else its arrival when it has none or one too far ahead of the reader's
     * clock (see {@link #timestampFallback}). Set by {@link AuditEventReader}.
     */
    @JsonIgnore
    public long eventTimeMillis() {
        return provenance == null ? 0 : provenance.eventTime();
    }

    /**
     * When this stage was logged, in epoch millis; the event time if stageTimestamp is absent or unreadable.
     * A long port-forward completes hours after it was received: memory of the request must last from here.
     */
    @JsonIgnore
    public long stageTimeMillis() {
        if (stageTimestamp == null || timestampFallback()) { // a stage time from a clock found wrong is not used either
            return eventTimeMillis();
        }
        // Asked for on hot paths (dedup, fired memory): parsed once per value of the field.
        if (stageTimestamp != parsedStageTimestamp) {
            long parsed;
            try {
                parsed = Timestamps.toEpochMillis(stageTimestamp);
            } catch (java.time.format.DateTimeParseException e) {
                parsed = Long.MIN_VALUE;
            }
            parsedStageTime = parsed;
            parsedStageTimestamp = stageTimestamp;
        }
        return Math.max(eventTimeMillis(), parsedStageTime);
    }

    @JsonIgnore
    public boolean timestampFallback() {
        return provenance != null && provenance.timestampFallback();
    }

    @JsonIgnore
    public String cluster() {
        return provenance == null ? null : provenance.cluster();
    }

    @JsonIgnore
    public Identity identity() {
        if (identity == null) {
            identity = Identity.of(user);
        }
        return identity;
    }

    @JsonIgnore
    public String annotation(String key) {
        return annotations == null ? null : annotations.get(key);
    }

    /** True when the authorizer allowed the request (annotation, else a non-401/403 response). */
    @JsonIgnore
    public boolean allowed() {
        String decision = annotation(DECISION_ANNOTATION);
        if (decision != null) {
            return "allow".equals(decision);
        }
        Integer code = responseCode();
        return code != null && code != 401 && code != 403;
    }

    @JsonIgnore
    public Integer responseCode() {
        return responseStatus == null ? null : responseStatus.code();
    }

    @JsonIgnore
    public String resource() {
        return objectRef == null ? null : objectRef.resource();
    }

    @JsonIgnore
    public String subresource() {
        return objectRef == null ? null : objectRef.subresource();
    }

    @JsonIgnore
    public String namespace() {
        return objectRef == null ? null : objectRef.namespace();
    }

    @JsonIgnore
    public String objectName() {
        return objectRef == null ? null : objectRef.name();
    }

    /**
     * The one object a request names: objectRef.name, or for list/watch the {@code metadata.name} of its field
     * selector (how kubelets watch a single secret or configmap). Null for a whole collection.
     */
    @JsonIgnore
    public String selectedName() {
        String name = objectName();
        if (name != null && !name.isEmpty()) {
            return name;
        }
        if (requestURI == null || requestURI.indexOf('?') < 0) {
            return null;
        }
        for (String param : requestURI.substring(requestURI.indexOf('?') + 1).split("&")) {
            if (param.startsWith("fieldSelector=")) {
                String selector = URLDecoder.decode(param.substring("fieldSelector=".length()), StandardCharsets.UTF_8);
                for (String term : selector.split(",")) {
                    if (term.startsWith("metadata.name=")) {
                        return term.substring("metadata.name=".length());
                    }
                }
            }
        }
        return null;
    }

    @JsonIgnore
    public String username() {
        return user == null ? null : user.username();
    }

    /** Where the request came from, for explanations: addresses and user agent. */
    @JsonIgnore
    public String sources() {
        String ips = sourceIPs == null || sourceIPs.isEmpty() ? "an unknown address" : String.join(", ", sourceIPs);
        return ips + (userAgent == null ? "" : " (" + userAgent + ")");
    }

    @JsonIgnore
    public Instant eventTime() {
        return Instant.ofEpochMilli(eventTimeMillis());
    }
}
