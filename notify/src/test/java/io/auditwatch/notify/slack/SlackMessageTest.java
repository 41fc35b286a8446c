package io.auditwatch.notify.slack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditwatch.alert.Alert;
import io.auditwatch.alert.Level;
import io.auditwatch.notify.testing.SampleAlerts;
import io.auditwatch.notify.testing.SlackSchema;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SlackMessageTest {
    private static final String HOSTILE = "<!channel> *x* <https://evil|click>";

    private static List<String> texts(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node.isTextual()) {
            out.add(node.asText());
        }
        node.forEach(child -> out.addAll(texts(child)));
        return out;
    }

    @Test
    void shouldRenderTheDocumentedBlockKitShape() {
        ObjectNode payload = SlackMessage.payload(SampleAlerts.alert("a1", Level.HIGH));
        assertEquals(List.of(), SlackSchema.problems(payload.toString()));
        assertEquals("{\"text\":\"[HIGH] Exec into a pod: alice@example.com — alice@example.com opened a shell in"
                + " shop/web-7d9f8b6c5-x2x4k (cluster prod-eu)\",\"blocks\":["
                + "{\"type\":\"header\",\"text\":{\"type\":\"plain_text\",\"emoji\":false,\"text\":\"HIGH · Exec into a pod\"}},"
                + "{\"type\":\"section\",\"fields\":["
                + "{\"type\":\"mrkdwn\",\"text\":\"*Who*\\n`alice@example.com`\"},"
                + "{\"type\":\"mrkdwn\",\"text\":\"*What*\\n`alice@example.com opened a shell in shop/web-7d9f8b6c5-x2x4k`\"},"
                + "{\"type\":\"mrkdwn\",\"text\":\"*Where*\\n`shop/pods/exec web-7d9f8b6c5-x2x4k`\"},"
                + "{\"type\":\"mrkdwn\",\"text\":\"*Cluster*\\n`prod-eu`\"}]},"
                + "{\"type\":\"section\",\"text\":{\"type\":\"mrkdwn\",\"text\":\"```A person ran a command inside a running"
                + " container; check that it was planned maintenance.```\"}},"
                + "{\"type\":\"context\",\"elements\":[{\"type\":\"mrkdwn\",\"text\":\"Evidence auditIDs: `audit-a1`"
                + " · rule `pod-exec` · at `2026-11-25T10:00:00Z`\"}]}]}", payload.toString());
    }

    @Test
    void shouldRenderAHostileUserNameInert() {
        Alert alert = SampleAlerts.alert("a1", Level.CRITICAL, HOSTILE, "k");
        ObjectNode payload = SlackMessage.payload(alert);
        assertEquals(List.of(), SlackSchema.problems(payload.toString()));
        for (String text : texts(payload)) {
            // Slack parses mentions and links only from raw < >; none is left.
            assertFalse(text.contains("<") || text.contains(">"), text);
        }
        JsonNode who = payload.path("blocks").get(1).path("fields").get(0);
        // Inside a code span *x* is shown as is, not bold.
        assertEquals("*Who*\n`&lt;!channel&gt; *x* &lt;https://evil|click&gt;`", who.path("text").asText());
        assertTrue(payload.path("text").asText().contains("&lt;!channel&gt; *x* &lt;https://evil|click&gt;"));
    }

    @Test
    void shouldKeepABacktickFromClosingTheCodeSpan() {
        ObjectNode payload = SlackMessage.payload(SampleAlerts.alert("a1", Level.HIGH, "a` <!here> `b", "k"));
        String who = payload.path("blocks").get(1).path("fields").get(0).path("text").asText();
        assertEquals("*Who*\n`a\u02cb &lt;!here&gt; \u02cbb`", who);
    }

    @Test
    void shouldEscapeControlCharactersThatWouldForgeLines() {
        ObjectNode payload = SlackMessage.payload(SampleAlerts.alert("a1", Level.HIGH, "eve\n*[CRITICAL]* fake", "k"));
        assertEquals("*Who*\n`eve\\u000a*[CRITICAL]* fake`",
                payload.path("blocks").get(1).path("fields").get(0).path("text").asText());
    }

    @Test
    void shouldCutLongFieldsWithAVisibleMarkerWithinBlockKitLimits() {
        Alert base = SampleAlerts.alert("a1", Level.HIGH, "u".repeat(5000), "k");
        Alert alert = new Alert(base.id(), base.rule(), base.cluster(), base.identity(), base.target(),
                "s".repeat(10_000), "<".repeat(5000), base.evidence(), base.firstSeen(), base.lastSeen(), 1, "k");
        ObjectNode payload = SlackMessage.payload(alert);
        assertEquals(List.of(), SlackSchema.problems(payload.toString()));
        String who = payload.path("blocks").get(1).path("fields").get(0).path("text").asText();
        assertTrue(who.endsWith(SlackText.CUT_MARKER + "`"), who);
        String explanation = payload.path("blocks").get(2).path("text").path("text").asText();
        // Cut after escaping, and never inside an entity.
        assertTrue(explanation.endsWith("&lt;" + SlackText.CUT_MARKER + "```"), explanation);
        assertTrue(payload.path("text").asText().contains(SlackText.CUT_MARKER));
    }

    @Test
    void shouldShowCountAndFirstAndLastSeenOfAGroup() {
        Alert one = SampleAlerts.alert("a1", Level.MEDIUM);
        Alert group = new Alert("g", one.rule(), one.cluster(), one.identity(), one.target(), one.summary(),
                one.explanation(), one.evidence(), "2026-11-25T10:00:00Z", "2026-11-25T10:04:00Z", 7, one.dedupKey());
        ObjectNode payload = SlackMessage.payload(group);
        assertEquals("MEDIUM · Exec into a pod (×7)", payload.path("blocks").get(0).path("text").path("text").asText());
        assertTrue(payload.path("blocks").get(3).toString().contains(
                "seen 7 times, first `2026-11-25T10:00:00Z`, last `2026-11-25T10:04:00Z`"));
    }

    @Test
    void shouldSayResolvedWhenTheConditionCleared() {
        Alert a = SampleAlerts.alert("a1", Level.HIGH);
        Alert cleared = new Alert("a1-cleared", a.rule(), a.cluster(), a.identity(), a.target(), a.summary(),
                a.explanation(), a.evidence(), a.firstSeen(), a.lastSeen(), 1, a.dedupKey(), Alert.RESOLVED);
        ObjectNode payload = SlackMessage.payload(cleared);
        assertEquals(List.of(), SlackSchema.problems(payload.toString()));
        assertEquals("RESOLVED · Exec into a pod", payload.path("blocks").get(0).path("text").path("text").asText());
        assertTrue(payload.path("text").asText().startsWith("[RESOLVED] Exec into a pod"));
        assertTrue(payload.path("blocks").get(3).toString().contains("cleared at `2026-11-25T10:00:00Z`"));
    }
}
