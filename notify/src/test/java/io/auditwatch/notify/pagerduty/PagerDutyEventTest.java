package io.auditwatch.notify.pagerduty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditwatch.alert.Alert;
import io.auditwatch.alert.Level;
import io.auditwatch.notify.testing.PagerDutySchema;
import io.auditwatch.notify.testing.SampleAlerts;
import java.util.List;
import org.junit.jupiter.api.Test;

class PagerDutyEventTest {
    @Test
    void shouldBuildADocumentedTriggerEventKeyedByTheDedupKey() {
        ObjectNode event = PagerDutyEvent.trigger(SampleAlerts.alert("a1", Level.HIGH), "R0UT1NGKEY");
        assertEquals(List.of(), PagerDutySchema.problems(event.toString()));
        assertEquals("R0UT1NGKEY", event.path("routing_key").asText());
        assertEquals("trigger", event.path("event_action").asText());
        assertEquals("pod-exec:a1", event.path("dedup_key").asText());
        assertEquals("[HIGH] Exec into a pod: alice@example.com — alice@example.com opened a shell in"
                + " shop/web-7d9f8b6c5-x2x4k (shop/pods/exec web-7d9f8b6c5-x2x4k, cluster prod-eu)",
                event.path("payload").path("summary").asText());
        assertEquals("prod-eu", event.path("payload").path("source").asText());
        assertEquals("error", event.path("payload").path("severity").asText());
        assertEquals("2026-11-25T10:00:00Z", event.path("payload").path("timestamp").asText());
        ObjectNode details = (ObjectNode) event.path("payload").path("custom_details");
        assertEquals("alice@example.com", details.path("identity").path("username").asText());
        assertEquals("web-7d9f8b6c5-x2x4k", details.path("target").path("name").asText());
        assertEquals("audit-a1", details.path("evidence").get(0).path("auditID").asText());
    }

    @Test
    void shouldMapFiveLevelsOntoPagerDutysFourSeverities() {
        assertEquals("critical", PagerDutyEvent.severity(Level.CRITICAL));
        assertEquals("error", PagerDutyEvent.severity(Level.HIGH));
        assertEquals("warning", PagerDutyEvent.severity(Level.MEDIUM));
        assertEquals("info", PagerDutyEvent.severity(Level.LOW));
        assertEquals("info", PagerDutyEvent.severity(Level.INFORMATIONAL));
    }

    @Test
    void shouldCutTheSummaryToPagerDutysLimitAndEscapeControlCharacters() {
        Alert alert = SampleAlerts.alert("a1", Level.CRITICAL, "eve\n" + "x".repeat(3000), "k");
        ObjectNode event = PagerDutyEvent.trigger(alert, "K");
        assertEquals(List.of(), PagerDutySchema.problems(event.toString()));
        String summary = event.path("payload").path("summary").asText();
        assertEquals(PagerDutyEvent.SUMMARY_MAX, summary.length());
        assertTrue(summary.endsWith(" …[cut]"), summary);
        assertTrue(summary.contains("eve\\u000axxx"), summary);
    }

    @Test
    void shouldLeaveOutATimestampPagerDutyWouldReject() {
        Alert a = SampleAlerts.alert("a1", Level.LOW);
        Alert odd = new Alert(a.id(), a.rule(), a.cluster(), a.identity(), a.target(), a.summary(), a.explanation(),
                a.evidence(), "yesterday", "yesterday", 1, null);
        ObjectNode event = PagerDutyEvent.trigger(odd, "K");
        assertEquals(List.of(), PagerDutySchema.problems(event.toString()));
        assertTrue(event.path("payload").path("timestamp").isMissingNode());
        assertEquals("a1", event.path("dedup_key").asText(), "no dedup key: the alert id keeps redeliveries folded");
    }

    @Test
    void shouldResolveTheIncidentOfTheDedupKey() {
        Alert a = SampleAlerts.alert("a1", Level.HIGH);
        Alert cleared = new Alert("a1-cleared", a.rule(), a.cluster(), a.identity(), a.target(), a.summary(),
                a.explanation(), a.evidence(), a.firstSeen(), a.lastSeen(), 1, a.dedupKey(), Alert.RESOLVED);
        ObjectNode event = PagerDutyEvent.resolve(cleared, "K");
        assertEquals(List.of(), PagerDutySchema.problems(event.toString()));
        assertEquals("{\"routing_key\":\"K\",\"event_action\":\"resolve\",\"dedup_key\":\"pod-exec:a1\"}",
                event.toString());
    }
}
