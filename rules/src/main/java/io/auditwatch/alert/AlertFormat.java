package io.auditwatch.alert;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditwatch.event.AuditEventReader;
import java.time.Instant;
import java.util.Locale;

/**
 * The shapes an alert is written in for other tools: our own JSON, an OCSF 1.x Detection Finding (class 2004),
 * or an Elastic Common Schema 8.x document. The mappings keep every field a SOC searches on (rule, level,
 * identity, target, times, ATT&CK techniques, auditIDs); what has no place in the schema goes under
 * {@code unmapped} (OCSF) or {@code auditwatch} (ECS).
 */
public enum AlertFormat {
    JSON, OCSF, ECS;

    public static final String OCSF_VERSION = "1.3.0";
    public static final String ECS_VERSION = "8.11.0";
    public static final int DETECTION_FINDING = 2004;
    private static final int FINDINGS_CATEGORY = 2;
    private static final ObjectMapper MAPPER = AuditEventReader.mapper();

    public String render(Alert alert) {
        return switch (this) {
            case JSON -> AlertCodec.toJson(alert);
            case OCSF -> ocsf(alert).toString();
            case ECS -> ecs(alert).toString();
        };
    }

    static ObjectNode ocsf(Alert alert) {
        ObjectNode f = MAPPER.createObjectNode();
        boolean closed = alert.resolved();
        int activity = closed ? 3 : 1;
        f.put("class_uid", DETECTION_FINDING).put("class_name", "Detection Finding")
                .put("category_uid", FINDINGS_CATEGORY).put("category_name", "Findings")
                .put("activity_id", activity).put("activity_name", closed ? "Close" : "Create")
                .put("type_uid", DETECTION_FINDING * 100 + activity)
                .put("type_name", "Detection Finding: " + (closed ? "Close" : "Create"))
                .put("time", millis(alert.lastSeen()))
                .put("severity_id", severityId(alert.rule().level()))
                .put("severity", severityName(alert.rule().level()))
                .put("status_id", closed ? 4 : 1).put("status", closed ? "Resolved" : "New")
                .put("message", alert.summary())
                .put("is_alert", !closed);
        putTime(f, "start_time", alert.firstSeen());
        putTime(f, "end_time", alert.lastSeen());
        ObjectNode metadata = f.putObject("metadata");
        metadata.put("version", OCSF_VERSION).put("uid", alert.id()).put("correlation_uid", alert.dedupKey());
        metadata.putObject("product").put("name", "auditwatch").put("vendor_name", "auditwatch");
        ObjectNode info = f.putObject("finding_info");
        info.put("uid", alert.id()).put("title", alert.rule().title()).put("desc", alert.explanation());
        info.putArray("types").add(alert.rule().id());
        info.putObject("analytic").put("uid", alert.rule().id()).put("name", alert.rule().title())
                .put("type_id", 1).put("type", "Rule");
        putTime(info, "first_seen_time", alert.firstSeen());
        putTime(info, "last_seen_time", alert.lastSeen());
        ArrayNode attacks = MAPPER.createArrayNode();
        for (String technique : techniques(alert)) {
            attacks.addObject().putObject("technique").put("uid", technique);
        }
        if (!attacks.isEmpty()) {
            info.set("attacks", attacks);
        }
        if (alert.evidence() != null && !alert.evidence().isEmpty()) {
            ArrayNode related = info.putArray("related_events");
            for (Alert.Evidence e : alert.evidence()) {
                related.addObject().put("uid", e.auditID()).put("type", "kubernetes audit event");
            }
            Alert.Evidence last = alert.evidence().get(alert.evidence().size() - 1);
            if (last.sourceIPs() != null && !last.sourceIPs().isEmpty()) {
                f.putObject("src_endpoint").put("ip", last.sourceIPs().get(0));
            }
        }
        if (alert.identity() != null) {
            ObjectNode user = f.putObject("actor").putObject("user");
            user.put("name", alert.identity().username());
            user.put("type", alert.identity().kind());
        }
        if (alert.target() != null) {
            ObjectNode resource = f.putArray("resources").addObject();
            resource.put("type", alert.target().resource());
            resource.put("name", ConsoleFormat.where(alert.target()));
        }
        ObjectNode unmapped = f.putObject("unmapped");
        unmapped.put("cluster", alert.cluster()).put("count", alert.count()).put("rule_level", alert.rule().level().json());
        if (alert.target() != null) {
            unmapped.put("namespace", alert.target().namespace());
        }
        return f;
    }

    static ObjectNode ecs(Alert alert) {
        ObjectNode d = MAPPER.createObjectNode();
        d.put("@timestamp", alert.lastSeen());
        d.putObject("ecs").put("version", ECS_VERSION);
        d.put("message", alert.summary());
        ObjectNode event = d.putObject("event");
        event.put("kind", "alert").put("id", alert.id()).put("module", "auditwatch")
                .put("dataset", "auditwatch.alerts").put("provider", "kubernetes-audit")
                .put("severity", ecsSeverity(alert.rule().level())).put("reason", alert.explanation())
                .put("start", alert.firstSeen()).put("end", alert.lastSeen());
        event.putArray("category").add("iam").add("configuration");
        event.putArray("type").add("info");
        if (alert.resolved()) {
            event.put("outcome", "success");
        }
        d.putObject("rule").put("id", alert.rule().id()).put("name", alert.rule().title())
                .put("ruleset", "auditwatch").put("description", alert.explanation());
        if (alert.identity() != null) {
            ObjectNode user = d.putObject("user");
            user.put("name", alert.identity().username());
            if (alert.identity().impersonatedUser() != null) {
                user.putObject("target").put("name", alert.identity().impersonatedUser());
            }
        }
        ObjectNode orchestrator = d.putObject("orchestrator");
        orchestrator.put("type", "kubernetes");
        orchestrator.putObject("cluster").put("name", alert.cluster());
        if (alert.target() != null) {
            orchestrator.put("namespace", alert.target().namespace());
            orchestrator.putObject("resource").put("type", alert.target().resource()).put("name", alert.target().name());
        }
        if (!techniques(alert).isEmpty()) {
            ArrayNode ids = d.putObject("threat").put("framework", "MITRE ATT&CK").putObject("technique").putArray("id");
            techniques(alert).forEach(ids::add);
        }
        if (alert.evidence() != null && !alert.evidence().isEmpty()) {
            Alert.Evidence last = alert.evidence().get(alert.evidence().size() - 1);
            if (last.sourceIPs() != null && !last.sourceIPs().isEmpty()) {
                d.putObject("source").put("ip", last.sourceIPs().get(0));
            }
            if (last.userAgent() != null) {
                d.putObject("user_agent").put("original", last.userAgent());
            }
            ArrayNode ids = d.putObject("kubernetes").putObject("audit").putArray("auditID");
            alert.evidence().forEach(e -> ids.add(e.auditID()));
        }
        // Ours, whole: what ECS has no field for (node, pod, credential, count, dedupKey).
        d.set("auditwatch", MAPPER.valueToTree(alert));
        return d;
    }

    /** ATT&CK technique ids from Sigma-style tags ({@code attack.t1609} → {@code T1609}). */
    private static java.util.List<String> techniques(Alert alert) {
        if (alert.rule().tags() == null) {
            return java.util.List.of();
        }
        return alert.rule().tags().stream().filter(t -> t.matches("(?i)attack\\.t\\d{4}(\\.\\d{3})?"))
                .map(t -> t.substring("attack.".length()).toUpperCase(Locale.ROOT)).toList();
    }

    private static int severityId(Level level) {
        return switch (level) {
            case INFORMATIONAL -> 1;
            case LOW -> 2;
            case MEDIUM -> 3;
            case HIGH -> 4;
            case CRITICAL -> 5;
        };
    }

    private static String severityName(Level level) {
        return level == Level.INFORMATIONAL ? "Informational"
                : level.json().substring(0, 1).toUpperCase(Locale.ROOT) + level.json().substring(1);
    }

    /** ECS leaves the scale to the source; Elastic's detection rules use these per level. */
    private static int ecsSeverity(Level level) {
        return switch (level) {
            case INFORMATIONAL -> 0;
            case LOW -> 21;
            case MEDIUM -> 47;
            case HIGH -> 73;
            case CRITICAL -> 99;
        };
    }

    private static long millis(String time) {
        return time == null ? 0 : Instant.parse(time).toEpochMilli();
    }

    private static void putTime(ObjectNode node, String field, String time) {
        if (time != null) {
            node.put(field, millis(time));
        }
    }
}
