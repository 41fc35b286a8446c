package io.auditwatch.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditwatch.engine.Engine;
import io.auditwatch.event.AuditEventReader;
import io.auditwatch.state.ExpiringState;
import io.auditwatch.state.TreeMapStore;
import io.auditwatch.testing.CoreRules;
import io.auditwatch.testing.EventJson;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertFormatTest {
    /**
     * The attributes OCSF 1.3.0 requires of a Detection Finding (class 2004): the base event's, the Finding
     * category's ({@code finding_info}), and those its required objects require in turn.
     */
    private static final List<String> OCSF_REQUIRED = List.of("activity_id", "category_uid", "class_uid", "time",
            "type_uid", "severity_id", "metadata", "finding_info");
    private static final Map<String, List<String>> OCSF_REQUIRED_IN = Map.of(
            "metadata", List.of("product", "version"),
            "finding_info", List.of("uid", "title"));

    private static Alert alertOf(EventJson event) {
        List<Alert> alerts = new Engine(CoreRules.detections(), Duration.ofHours(1))
                .process(event.parse(), new ExpiringState(new TreeMapStore()));
        assertEquals(1, alerts.size());
        return alerts.get(0);
    }

    private static JsonNode render(AlertFormat format, Alert alert) throws IOException {
        return AuditEventReader.mapper().readTree(format.render(alert));
    }

    @Test
    void shouldWriteAnOcsfDetectionFindingWithEveryRequiredAttribute() throws IOException {
        Alert alert = alertOf(EventJson.podExec());
        JsonNode f = render(AlertFormat.OCSF, alert);

        for (String attribute : OCSF_REQUIRED) {
            assertTrue(f.hasNonNull(attribute), attribute + " missing: " + f);
        }
        OCSF_REQUIRED_IN.forEach((object, attributes) -> attributes.forEach(a ->
                assertTrue(f.path(object).hasNonNull(a), object + "." + a + " missing: " + f)));
        assertEquals(2004, f.path("class_uid").asInt());
        assertEquals(2, f.path("category_uid").asInt(), "Findings");
        assertEquals(f.path("class_uid").asInt() * 100 + f.path("activity_id").asInt(), f.path("type_uid").asInt());
        assertEquals(3, f.path("severity_id").asInt(), "medium");
        assertEquals(Instant.parse(alert.lastSeen()).toEpochMilli(), f.path("time").asLong(), "epoch milliseconds");
        assertTrue(f.path("metadata").path("version").asText().matches("1\\.\\d+\\.\\d+"));
        assertEquals("auditwatch", f.path("metadata").path("product").path("name").asText());
        assertEquals(alert.id(), f.path("finding_info").path("uid").asText());
        assertEquals("pod-exec", f.path("finding_info").path("analytic").path("uid").asText());
        assertEquals("alice@example.com", f.path("actor").path("user").path("name").asText());
        assertEquals(alert.evidence().get(0).auditID(),
                f.path("finding_info").path("related_events").get(0).path("uid").asText());
        assertFalse(f.path("finding_info").path("attacks").isEmpty(), "ATT&CK techniques from the rule's tags");
        assertTrue(f.path("finding_info").path("attacks").get(0).path("technique").path("uid").asText().matches("T\\d{4}.*"));
    }

    @Test
    void shouldWriteAnEcsAlertDocument() throws IOException {
        Alert alert = alertOf(EventJson.podExec());
        JsonNode d = render(AlertFormat.ECS, alert);

        assertEquals(alert.lastSeen(), d.path("@timestamp").asText());
        assertTrue(d.path("ecs").path("version").asText().startsWith("8."));
        assertEquals("alert", d.path("event").path("kind").asText());
        assertEquals(alert.id(), d.path("event").path("id").asText());
        assertEquals("pod-exec", d.path("rule").path("id").asText());
        assertEquals("alice@example.com", d.path("user").path("name").asText());
        assertEquals("kubernetes", d.path("orchestrator").path("type").asText());
        assertEquals("shop", d.path("orchestrator").path("namespace").asText());
        assertEquals(alert.id(), d.path("auditwatch").path("id").asText(), "ours kept whole");
    }

    @Test
    void shouldKeepOurJsonAsItWas() {
        Alert alert = alertOf(EventJson.podExec());
        assertEquals(AlertCodec.toJson(alert), AlertFormat.JSON.render(alert));
    }
}
