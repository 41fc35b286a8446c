package io.auditwatch.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.testing.CoreRules;
import io.auditwatch.engine.Engine;
import io.auditwatch.state.ExpiringState;
import io.auditwatch.state.TreeMapStore;
import io.auditwatch.testing.EventJson;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConsoleFormatTest {
    private static Alert alertOf(EventJson event) {
        List<Alert> alerts = new Engine(CoreRules.detections(), Duration.ofHours(1))
                .process(event.parse(), new ExpiringState(new TreeMapStore()));
        assertEquals(1, alerts.size());
        return alerts.get(0);
    }

    @Test
    void shouldEscapeNewlinesThatWouldForgeLogLines() {
        assertEquals("a\\u000a[HIGH] forged\\u000d", ConsoleFormat.escape("a\n[HIGH] forged\r"));
    }

    @Test
    void shouldEscapeTheEscapeCharacterOfAnsiSequences() {
        assertEquals("\\u001b[2J\\u001b[31mred", ConsoleFormat.escape("\u001b[2J\u001b[31mred"));
    }

    @Test
    void shouldEscapeEveryC0ControlDelAndC1Control() {
        for (char c = 0; c < 0x20; c++) {
            assertEquals(String.format("\\u%04x", (int) c), ConsoleFormat.escape(String.valueOf(c)));
        }
        assertEquals("\\u007f", ConsoleFormat.escape("\u007f"));
        assertEquals("\\u0085", ConsoleFormat.escape("\u0085"));
        assertEquals("\\u009b31m", ConsoleFormat.escape("\u009b31m"), "C1 CSI repaints terminals too");
        assertEquals("\\u009f", ConsoleFormat.escape("\u009f"));
    }

    @Test
    void shouldEscapeUnicodeLineAndParagraphSeparators() {
        assertEquals("a\\u2028b\\u2029c", ConsoleFormat.escape("a\u2028b\u2029c"));
    }

    @Test
    void shouldKeepOrdinaryUnicode() {
        String text = "Grüße, Jürgen! ça va? 日本語 Ωμέγα 😀 \u00a0nbsp ~";
        assertEquals(text, ConsoleFormat.escape(text));
    }

    @Test
    void shouldWriteADashForNull() {
        assertEquals("-", ConsoleFormat.escape(null));
    }

    @Test
    void shouldPrintTimeLevelRuleUserSummaryTargetAuditIdAndCluster() {
        Alert alert = alertOf(EventJson.podExec());
        String line = ConsoleFormat.line(alert);

        assertTrue(line.startsWith(alert.lastSeen() + " [MEDIUM]"), line);
        assertTrue(line.contains(" auditID=" + alert.evidence().get(0).auditID() + " "), line);
        assertTrue(line.contains(" pod-exec "), line);
        assertTrue(line.contains("who=alice@example.com "), line);
        assertTrue(line.contains("what=exec into pod shop/web-1 "), line);
        assertTrue(line.contains("where=shop/pods/exec web-1 "), line);
        assertTrue(line.contains("cluster=" + EventJson.CLUSTER), line);
        assertTrue(line.endsWith("count=1"), line);
    }

    @Test
    void shouldShowWhomTheUserImpersonated() {
        String line = ConsoleFormat.line(alertOf(EventJson.secretGet()
                .setJson("impersonatedUser", "{\"username\":\"system:admin\"}")));

        assertTrue(line.contains("who=alice@example.com as system:admin "), line);
    }

    @Test
    void shouldNeverPrintControlCharactersFromTheEvent() {
        String evil = "eve\n[CRITICAL] all clear\u001b[2K\u009b";
        String line = ConsoleFormat.line(alertOf(EventJson.podExec().user(evil)
                .objectRef("pods", "shop\r", "web-1\u0007", "exec")));

        assertTrue(line.contains("who=eve\\u000a[CRITICAL] all clear\\u001b[2K\\u009b "), line);
        assertFalse(line.chars().anyMatch(c -> c < 0x20 || (c >= 0x7f && c <= 0x9f)), line);
    }

    @Test
    void shouldPrintADashForAMissingCluster() {
        Alert a = alertOf(EventJson.anonymous("/metrics"));
        Alert noCluster = new Alert(a.id(), a.rule(), null, a.identity(), a.target(), a.summary(),
                a.explanation(), a.evidence(), a.firstSeen(), a.lastSeen(), 3, a.dedupKey());

        String line = ConsoleFormat.line(noCluster);

        assertTrue(line.startsWith(a.lastSeen() + " [HIGH]"), line);
        assertTrue(line.contains("where=- "), line);
        assertTrue(line.contains("cluster=- "), line);
        assertTrue(line.endsWith("count=3"), line);
    }
}
