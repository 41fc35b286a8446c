package io.auditwatch.nodegraph;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditwatch.event.AuditEvent;
import io.auditwatch.event.AuditEventReader;
import io.auditwatch.event.ReadResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Pods that existed before the audit stream starts ({@code kubectl get pods -A -o json}, or what
 * {@code auditwatch snapshot} put on {@code auditwatch.inventory}). Each becomes the create event the graph
 * would have learned it from, at time zero, so inventory and audit events take one path through the graph
 * and never move its clock.
 */
public final class Inventory {
    /** The user of synthetic inventory events; no real credential can have a colon-free "auditwatch:" prefix. */
    public static final String USER = "auditwatch:inventory";

    /** The kinds the graph learns from a snapshot, and the resource their create events name. */
    public static final Map<String, String> RESOURCES = Map.of("Pod", "pods", "PersistentVolume", "persistentvolumes",
            "VolumeAttachment", "volumeattachments");

    private Inventory() {
    }

    /** The pods, PVs and VolumeAttachments of an item, a List, or a PodList, as graph events; other kinds are skipped. */
    public static List<AuditEvent> events(JsonNode document, AuditEventReader reader) {
        List<AuditEvent> events = new ArrayList<>();
        JsonNode items = document.has("items") ? document.get("items") : document.isArray() ? document : null;
        if (items == null) {
            addPod(document, reader, events);
        } else {
            for (JsonNode item : items) {
                addPod(item, reader, events);
            }
        }
        return events;
    }

    private static void addPod(JsonNode item, AuditEventReader reader, List<AuditEvent> events) {
        String kind = item.path("kind").asText("Pod");
        String resource = RESOURCES.get(kind);
        if (resource == null || !item.has("metadata")) {
            return;
        }
        ObjectNode withKind = item.deepCopy();
        withKind.put("kind", kind);
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode event = f.objectNode();
        event.put("kind", "Event");
        event.put("stage", "ResponseComplete");
        event.put("verb", "create");
        event.set("user", f.objectNode().put("username", USER));
        ObjectNode objectRef = f.objectNode().put("resource", resource)
                .put("name", item.path("metadata").path("name").asText());
        if ("Pod".equals(kind)) {
            objectRef.put("namespace", item.path("metadata").path("namespace").asText());
        }
        event.set("objectRef", objectRef);
        event.set("responseStatus", f.objectNode().put("code", 200));
        event.set("responseObject", withKind);
        ReadResult result = reader.read(event.toString().getBytes(StandardCharsets.UTF_8), 0);
        events.addAll(result.events());
    }
}
