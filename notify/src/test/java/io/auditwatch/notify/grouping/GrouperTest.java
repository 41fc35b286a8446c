package io.auditwatch.notify.grouping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.alert.Alert;
import io.auditwatch.alert.Level;
import io.auditwatch.notify.testing.MutableClock;
import io.auditwatch.notify.testing.SampleAlerts;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class GrouperTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));
    private final Grouper<Integer> grouper = new Grouper<>(Duration.ofMinutes(5), clock);

    private static Alert seenAt(String id, String dedupKey, String time) {
        Alert a = SampleAlerts.alert(id, Level.HIGH, "alice", dedupKey);
        Alert.Evidence e = a.evidence().get(0);
        return new Alert(id, a.rule(), a.cluster(), a.identity(), a.target(), a.summary(), a.explanation(),
                List.of(new Alert.Evidence("audit-" + id, e.stage(), e.verb(), e.requestURI(), e.code(), e.decision(),
                        e.sourceIPs(), e.userAgent(), time)), time, time, 1, dedupKey);
    }

    @Test
    void shouldSendTheFirstAtOnceAndFoldRepeatsIntoOneMessageWhenTheWindowCloses() {
        assertTrue(grouper.offer(seenAt("a1", "k", "2026-11-25T10:00:00Z"), 1));
        clock.advance(Duration.ofMinutes(1));
        assertFalse(grouper.offer(seenAt("a2", "k", "2026-11-25T10:01:00Z"), 2));
        clock.advance(Duration.ofMinutes(1));
        assertFalse(grouper.offer(seenAt("a3", "k", "2026-11-25T10:02:00Z"), 3));
        assertEquals(List.of(), grouper.due(), "window still open");
        assertEquals(2, grouper.held());

        clock.advance(Duration.ofMinutes(3));
        List<Grouper.Group<Integer>> groups = grouper.due();
        assertEquals(1, groups.size());
        Grouper.Group<Integer> group = groups.get(0);
        assertEquals(List.of(2, 3), group.tickets());
        assertEquals(3, group.alert().count(), "the first and both repeats");
        assertEquals("2026-11-25T10:00:00Z", group.alert().firstSeen());
        assertEquals("2026-11-25T10:02:00Z", group.alert().lastSeen());
        assertEquals(List.of("audit-a2", "audit-a3"), group.alert().evidence().stream().map(Alert.Evidence::auditID).toList());
        assertEquals("k", group.alert().dedupKey());
        assertEquals(group.messageId(), group.alert().id());
        assertEquals(List.of(), grouper.due(), "a group goes out once");
        assertEquals(0, grouper.held());
    }

    @Test
    void shouldForgetAWindowWithoutRepeats() {
        assertTrue(grouper.offer(seenAt("a1", "k", "2026-11-25T10:00:00Z"), 1));
        clock.advance(Duration.ofMinutes(5));
        assertEquals(List.of(), grouper.due());
        assertTrue(grouper.offer(seenAt("a2", "k", "2026-11-25T10:05:00Z"), 2), "a new window opens");
    }

    @Test
    void shouldKeepDifferentFindingsApart() {
        assertTrue(grouper.offer(seenAt("a1", "k1", "2026-11-25T10:00:00Z"), 1));
        assertTrue(grouper.offer(seenAt("b1", "k2", "2026-11-25T10:00:00Z"), 2));
        assertFalse(grouper.offer(seenAt("a2", "k1", "2026-11-25T10:00:01Z"), 3));
    }

    @Test
    void shouldFlushAClosedWindowEvenWhenTheNextRepeatArrivesBeforeDueIsAsked() {
        assertTrue(grouper.offer(seenAt("a1", "k", "2026-11-25T10:00:00Z"), 1));
        assertFalse(grouper.offer(seenAt("a2", "k", "2026-11-25T10:00:01Z"), 2));
        clock.advance(Duration.ofMinutes(6));
        assertTrue(grouper.offer(seenAt("a3", "k", "2026-11-25T10:06:00Z"), 3), "opens the next window");
        List<Grouper.Group<Integer>> groups = grouper.due();
        assertEquals(1, groups.size());
        assertEquals(List.of(2), groups.get(0).tickets());
    }

    @Test
    void shouldSendEverythingWhenTheWindowIsZeroOrThereIsNoDedupKey() {
        Grouper<Integer> off = new Grouper<>(Duration.ZERO, clock);
        assertTrue(off.offer(seenAt("a1", "k", "2026-11-25T10:00:00Z"), 1));
        assertTrue(off.offer(seenAt("a2", "k", "2026-11-25T10:00:00Z"), 2));
        assertTrue(grouper.offer(seenAt("a1", null, "2026-11-25T10:00:00Z"), 1));
        assertTrue(grouper.offer(seenAt("a2", null, "2026-11-25T10:00:00Z"), 2));
    }

    @Test
    void shouldHandOverHeldRepeatsAtOnceWhenTheFindingIsResolved() {
        assertTrue(grouper.offer(seenAt("a1", "k", "2026-11-25T10:00:00Z"), 1));
        assertFalse(grouper.offer(seenAt("a2", "k", "2026-11-25T10:00:01Z"), 2));
        assertTrue(grouper.offer(seenAt("b1", "other", "2026-11-25T10:00:01Z"), 3));
        List<Grouper.Group<Integer>> groups = grouper.close("k");
        assertEquals(1, groups.size());
        assertEquals(List.of(2), groups.get(0).tickets());
        assertEquals(List.of(), grouper.close("k"), "nothing left for k");
        assertTrue(grouper.offer(seenAt("a3", "k", "2026-11-25T10:00:02Z"), 4), "the next one opens a new window");
        assertFalse(grouper.offer(seenAt("b2", "other", "2026-11-25T10:00:02Z"), 5), "other findings keep their window");
    }

    @Test
    void shouldSendAnAlertOfAHigherLevelAtOnceAfterTheHeldRepeatsOfTheLowerWindow() {
        Alert medium1 = SampleAlerts.alert("m1", Level.MEDIUM, "alice", "k");
        Alert medium2 = SampleAlerts.alert("m2", Level.MEDIUM, "alice", "k");
        Alert high = SampleAlerts.alert("h1", Level.HIGH, "alice", "k");
        Alert high2 = SampleAlerts.alert("h2", Level.HIGH, "alice", "k");
        assertEquals(List.of(), grouper.escalate(medium1));
        assertTrue(grouper.offer(medium1, 1));
        clock.advance(Duration.ofMinutes(1));
        assertEquals(List.of(), grouper.escalate(medium2), "the same level does not escalate");
        assertFalse(grouper.offer(medium2, 2));

        List<Grouper.Group<Integer>> held = grouper.escalate(high);
        assertEquals(1, held.size());
        assertEquals(List.of(2), held.get(0).tickets());
        assertEquals(Level.MEDIUM, held.get(0).alert().rule().level());
        assertTrue(grouper.offer(high, 3), "the escalation goes out at once");
        assertEquals(List.of(), grouper.escalate(high2), "the window is now the high one's");
        assertFalse(grouper.offer(high2, 4), "and holds the high repeats");
        assertEquals(List.of(), grouper.escalate(SampleAlerts.alert("m3", Level.MEDIUM, "alice", "k")),
                "a lower alert never escalates");
    }
}
