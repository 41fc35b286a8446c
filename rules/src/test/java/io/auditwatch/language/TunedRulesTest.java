package io.auditwatch.language;

import static io.auditwatch.testing.EventJson.anonymous;
import static io.auditwatch.testing.EventJson.event;
import static io.auditwatch.testing.EventJson.podExec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.alert.Alert;
import io.auditwatch.alert.Level;
import io.auditwatch.engine.Engine;
import io.auditwatch.state.ExpiringState;
import io.auditwatch.state.TreeMapStore;
import io.auditwatch.testing.EventJson;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Run-time changes of the default pack, as records of auditwatch.rules deliver them. */
class TunedRulesTest {
    private final TunedRules tuned = TunedRules.defaults(Duration.ofHours(1));

    private static List<String> fired(Engine engine, EventJson event) {
        return engine.process(event.parse(), new ExpiringState(new TreeMapStore())).stream()
                .map(a -> a.rule().id()).toList();
    }

    @Test
    void shouldDisableAndReenableARuleWithAPatchAndATombstone() {
        assertTrue(fired(tuned.engine(), podExec()).contains("pod-exec"));
        TunedRules.Change change = tuned.apply("pod-exec", "enabled: false");
        assertEquals(new TunedRules.Change("pod-exec", "patch", true, null), change);
        assertFalse(fired(tuned.engine(), podExec()).contains("pod-exec"));
        assertTrue(tuned.apply("pod-exec", null).accepted());
        assertTrue(fired(tuned.engine(), podExec()).contains("pod-exec"));
    }

    @Test
    void shouldChangeALevelAndAddExceptions() {
        assertTrue(tuned.apply("pod-exec", "level: high\nexceptions:\n  - user.username: alice@example.com\n").accepted());
        assertFalse(fired(tuned.engine(), podExec()).contains("pod-exec"), "alice is excepted");
        List<Alert> alerts = tuned.engine().process(podExec().user("bob@example.com").parse(),
                new ExpiringState(new TreeMapStore()));
        assertEquals(Level.HIGH, alerts.stream().filter(a -> a.rule().id().equals("pod-exec")).findFirst()
                .orElseThrow().rule().level());
    }

    @Test
    void shouldChangeACorrelationThreshold() {
        assertTrue(tuned.apply("secret-enumeration", "threshold: 2").accepted());
        ExpiringState state = new ExpiringState(new TreeMapStore());
        Engine engine = tuned.engine();
        EventJson read = EventJson.secretGet().user("system:serviceaccount:shop:web");
        engine.process(read.copy().auditID("r1").parse(), state);
        List<String> second = engine.process(read.copy().auditID("r2").objectRef("secrets", "shop", "other", null)
                .parse(), state).stream().map(a -> a.rule().id()).toList();
        assertEquals(List.of("secret-enumeration"), second);
    }

    @Test
    void shouldKeepTheCountsOfOtherRulesWhenOneRuleChanges() {
        ExpiringState state = new ExpiringState(new TreeMapStore());
        EventJson denied = event().verb("list").objectRef("nodes", null, null, null).forbidden()
                .set("sourceIPs", List.of("198.51.100.23"));
        for (int i = 0; i < 9; i++) {
            EventJson request = denied.copy().auditID("d-" + i);
            state.advanceTo(request.parse().eventTimeMillis());
            assertEquals(List.of(), tuned.process(request.parse(), state));
        }
        assertTrue(tuned.apply("pod-exec", "level: low").accepted());
        List<String> tenth = tuned.process(denied.copy().auditID("d-9").parse(), state).stream()
                .map(a -> a.rule().id()).toList();
        assertEquals(List.of("denied-burst-by-source"), tenth, "nine counted before the change, one after");
    }

    @Test
    void shouldRejectABrokenRuleAndKeepTheLastGoodOne() {
        Engine before = tuned.engine();
        TunedRules.Change change = tuned.apply("pod-exec", "title: Exec\nid: pod-exec\nlevel: medium\n"
                + "detection:\n  s:\n    objectRef.subresource|re: '(exec'\n  condition: s\n");
        assertFalse(change.accepted());
        assertTrue(change.reason().startsWith("auditwatch.rules[pod-exec]:6: detection.s.objectRef.subresource|re:"
                + " bad regular expression"), change.reason());
        assertTrue(before == tuned.engine(), "the engine in force did not change");
        assertTrue(fired(tuned.engine(), podExec()).contains("pod-exec"));
    }

    @Test
    void shouldRejectPatchesThatDoNotApply() {
        assertEquals("no rule 'nope' to patch", tuned.apply("nope", "enabled: false").reason()
                .replace("auditwatch.rules[nope]: ", ""));
        assertFalse(tuned.apply("pod-exec", "threshold: 3").accepted(), "a single-event rule has no threshold");
        assertTrue(tuned.apply("pod-exec", "colour: red").reason().contains("not a patch: [colour]"));
        assertTrue(tuned.apply("pod-exec", "title: X\nid: other\nlevel: low\ndetection:\n  s:\n    verb: get\n"
                + "  condition: s\n").reason().contains("the key is 'pod-exec' but the rule's id is 'other'"));
        assertTrue(tuned.apply("pod-exec", "title: [unclosed").reason().contains("not valid YAML"));
    }

    @Test
    void shouldAddANewRuleAndReplaceAList() {
        assertTrue(tuned.apply("nodes-listed", "title: Nodes listed\nid: nodes-listed\nlevel: low\n"
                + "detection:\n  s:\n    verb: list\n    objectRef.resource: nodes\n  condition: s\n").accepted());
        assertEquals(List.of("nodes-listed"), fired(tuned.engine(), event().verb("list").objectRef("nodes", null, null, null)));

        assertTrue(fired(tuned.engine(), anonymous("/metrics")).contains("anonymous-allowed"));
        assertTrue(tuned.apply("list:public_discovery_paths", "list: public_discovery_paths\nitems: [/healthz, /metrics]")
                .accepted());
        assertFalse(fired(tuned.engine(), anonymous("/metrics")).contains("anonymous-allowed"));
    }
}
