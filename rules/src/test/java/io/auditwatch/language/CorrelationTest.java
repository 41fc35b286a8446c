package io.auditwatch.language;

import static io.auditwatch.testing.EventJson.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.alert.Alert;
import io.auditwatch.engine.Engine;
import io.auditwatch.event.AuditEvent;
import io.auditwatch.state.ExpiringState;
import io.auditwatch.state.TreeMapStore;
import io.auditwatch.testing.EventJson;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Correlation rules through the engine: counting each request once, windows in event time, validation. */
class CorrelationTest {
    private static final String BASE = "title: denied\nid: denied\nlevel: low\nenabled: false\n"
            + "detection:\n  s:\n    responseStatus.code: 403\n  condition: s\n---\n";

    private final ExpiringState state = new ExpiringState(new TreeMapStore());

    private static Engine engine(String correlation) throws RuleException {
        return RuleSet.compile(List.of(new RuleSources.Source("c.yml", BASE + correlation))).engine(Duration.ofHours(1));
    }

    private List<Alert> feed(Engine engine, List<EventJson> events) {
        List<Alert> alerts = new ArrayList<>();
        for (EventJson e : events) {
            AuditEvent parsed = e.parse();
            state.advanceTo(parsed.eventTimeMillis());
            alerts.addAll(engine.process(parsed, state));
        }
        return alerts;
    }

    private static EventJson denied(int i, String at) {
        return event().auditID("req-" + i).forbidden().received(at).stageAt(at);
    }

    private static final String COUNT = "title: burst\nid: burst\nlevel: medium\ncorrelation:\n  type: event_count\n"
            + "  rules: [denied]\n  group-by: [user.username]\n  timespan: 10m\n  condition:\n    gte: 3\n";

    @Test
    void shouldCountEachRequestOnceWhateverItsStages() throws RuleException {
        Engine engine = engine(COUNT);
        List<EventJson> stages = new ArrayList<>();
        for (String stage : List.of("ResponseStarted", "ResponseComplete")) {
            stages.add(denied(1, "2026-11-20T10:00:00Z").stage(stage));
            stages.add(denied(2, "2026-11-20T10:01:00Z").stage(stage));
        }
        assertEquals(List.of(), feed(engine, stages), "two requests at two stages are two, not four");
        List<Alert> alerts = feed(engine, List.of(denied(3, "2026-11-20T10:02:00Z")));
        assertEquals(1, alerts.size());
        Alert alert = alerts.get(0);
        assertEquals("burst", alert.rule().id());
        assertEquals(3, alert.count());
        assertEquals("2026-11-20T10:00:00Z", alert.firstSeen());
        assertEquals("req-3", alert.evidence().get(0).auditID());
        assertTrue(alert.summary().contains("alice@example.com"), alert.summary());
        assertEquals(List.of(), feed(engine, List.of(denied(4, "2026-11-20T10:03:00Z"))), "one alert per window");
    }

    @Test
    void shouldFeedEveryCorrelationOfASharedIndexedBaseWhateverTheCaseOfTheEvent() throws RuleException {
        String base = "title: secret gets\nid: secret-gets\nlevel: low\nenabled: false\ndetection:\n  s:\n"
                + "    objectRef.resource: secrets\n    verb: get\n  condition: s\n---\n";
        String counts = COUNT.replace("[denied]", "[secret-gets]") + "---\n"
                + COUNT.replace("id: burst", "id: burst-2").replace("gte: 3", "gte: 2").replace("[denied]", "[secret-gets]");
        Engine engine = RuleSet.compile(List.of(new RuleSources.Source("c.yml", BASE + base + counts))).engine(Duration.ofHours(1));
        List<EventJson> gets = List.of(
                event().auditID("req-1").objectRef("secrets", "shop", "a", null).verb("get").received("2026-11-20T10:00:00Z"),
                event().auditID("req-2").objectRef("Secrets", "shop", "b", null).verb("GET").received("2026-11-20T10:01:00Z"),
                event().auditID("req-3").objectRef("SECRETS", "shop", "c", null).verb("Get").received("2026-11-20T10:02:00Z"));
        assertEquals(List.of("burst-2", "burst"), feed(engine, gets).stream().map(a -> a.rule().id()).toList());
    }

    @Test
    void shouldForgetRequestsOlderThanTheTimespanInEventTime() throws RuleException {
        Engine engine = engine(COUNT);
        assertEquals(List.of(), feed(engine, List.of(denied(1, "2026-11-20T10:00:00Z"),
                denied(2, "2026-11-20T10:09:00Z"), denied(3, "2026-11-20T10:15:00Z"))));
        assertEquals(1, feed(engine, List.of(denied(4, "2026-11-20T10:16:00Z"))).size());
    }

    @Test
    void shouldKeepGroupsApart() throws RuleException {
        Engine engine = engine(COUNT);
        assertEquals(List.of(), feed(engine, List.of(denied(1, "2026-11-20T10:00:00Z"),
                denied(2, "2026-11-20T10:01:00Z").user("bob@example.com"), denied(3, "2026-11-20T10:02:00Z"))));
    }

    @Test
    void shouldCountDistinctValues() throws RuleException {
        Engine engine = engine("title: spread\nid: spread\nlevel: medium\ncorrelation:\n  type: value_count\n"
                + "  rules: [denied]\n  timespan: 1h\n  condition:\n    gte: 2\n    field: objectRef.name\n");
        assertEquals(List.of(), feed(engine, List.of(denied(1, "2026-11-20T10:00:00Z"), denied(2, "2026-11-20T10:01:00Z"))));
        assertEquals(1, feed(engine, List.of(denied(3, "2026-11-20T10:02:00Z").objectRef("pods", "shop", "web-2", null))).size());
    }

    @Test
    void shouldRequireTheOrderOfATemporalOrderedSequence() throws RuleException {
        String yaml = "title: get\nid: get\nlevel: low\ndetection:\n  s:\n    verb: get\n    responseStatus.code: 200\n"
                + "  condition: s\n---\ntitle: seq\nid: seq\nlevel: high\ncorrelation:\n  type: temporal_ordered\n"
                + "  rules: [denied, get]\n  group-by: [user.username]\n  timespan: 5m\n";
        Engine engine = engine(yaml);
        List<Alert> wrongOrder = feed(engine, List.of(event().auditID("a").received("2026-11-20T10:00:00Z"),
                denied(2, "2026-11-20T10:01:00Z")));
        assertEquals(List.of("get"), wrongOrder.stream().map(a -> a.rule().id()).toList());
        List<Alert> inOrder = feed(engine, List.of(event().auditID("b").received("2026-11-20T10:02:00Z")));
        assertEquals(List.of("get", "seq"), inOrder.stream().map(a -> a.rule().id()).toList());
    }

    @Test
    void shouldNotRecordALaterBaseOfAnOrderedSequenceBeforeTheFirstWasSeen() throws RuleException {
        String yaml = "title: get\nid: get\nlevel: low\nenabled: false\ndetection:\n  s:\n    verb: get\n"
                + "    responseStatus.code: 200\n  condition: s\n---\ntitle: seq\nid: seq\nlevel: high\ncorrelation:\n"
                + "  type: temporal_ordered\n  rules: [denied, get]\n  group-by: [user.username]\n  timespan: 5m\n";
        Engine engine = engine(yaml);
        feed(engine, List.of(event().auditID("a").received("2026-11-20T10:00:00Z"),
                event().auditID("b").received("2026-11-20T10:00:30Z")));
        assertEquals(List.of(), keys(), "every allowed get matches 'get': nothing is written before 'denied' was seen");

        assertEquals(List.of(), feed(engine, List.of(denied(2, "2026-11-20T10:01:00Z"))));
        List<Alert> then = feed(engine, List.of(event().auditID("c").received("2026-11-20T10:02:00Z")));
        assertEquals(List.of("seq"), then.stream().map(a -> a.rule().id()).toList());
    }

    @Test
    void shouldRememberWhichCorrelationsCountedARequestInOneRecord() throws RuleException {
        Engine engine = engine(COUNT + "---\n" + COUNT.replace("id: burst", "id: burst-2").replace("title: burst", "title: b2")
                + "---\n" + COUNT.replace("id: burst", "id: burst-3").replace("title: burst", "title: b3"));
        feed(engine, List.of(denied(1, "2026-11-20T10:00:00Z").stage("ResponseStarted")));
        List<String> requests = keys().stream().filter(k -> k.startsWith("q|")).toList();
        assertEquals(1, requests.size(), "one record for the three correlations that counted it: " + keys());
        feed(engine, List.of(denied(1, "2026-11-20T10:00:00Z").stage("ResponseComplete"),
                denied(2, "2026-11-20T10:01:00Z")));
        List<Alert> alerts = feed(engine, List.of(denied(3, "2026-11-20T10:02:00Z")));
        assertEquals(List.of("burst", "burst-2", "burst-3"), alerts.stream().map(a -> a.rule().id()).toList(),
                "the second stage of request 1 was not counted again by any of them: 3 requests, not 4");
        assertEquals(3, alerts.get(0).count());
    }

    private List<String> keys() {
        List<String> keys = new ArrayList<>();
        state.range("", (k, v) -> keys.add(k));
        return keys;
    }

    @Test
    void shouldAlertOnANewValueOnlyAfterTheLearningPeriod() throws RuleException {
        Engine engine = engine("title: new\nid: new\nlevel: medium\ncorrelation:\n  type: first_seen\n"
                + "  rules: [denied]\n  group-by: [user.username]\n  fields: [userAgent]\n  learning: 1d\n  timespan: 30d\n");
        assertEquals(List.of(), feed(engine, List.of(denied(1, "2026-11-20T10:00:00Z"),
                denied(2, "2026-11-20T11:00:00Z").set("userAgent", "curl/8"))), "learning");
        assertEquals(List.of(), feed(engine, List.of(denied(3, "2026-11-22T10:00:00Z").set("userAgent", "curl/8"))),
                "known value");
        List<Alert> alerts = feed(engine, List.of(denied(4, "2026-11-22T11:00:00Z").set("userAgent", "python/3")));
        assertEquals(1, alerts.size());
        assertTrue(alerts.get(0).summary().contains("'python/3'"), alerts.get(0).summary());
    }

    @Test
    void shouldCountACorrelationThatOnlyFeedsAnother() throws RuleException {
        String yaml = COUNT.replace("level: medium\n", "level: medium\nenabled: false\n")
                + "---\ntitle: ok\nid: ok\nlevel: low\nenabled: false\ndetection:\n  s:\n    responseStatus.code: 200\n"
                + "  condition: s\n---\ntitle: then\nid: then\nlevel: high\ncorrelation:\n  type: temporal_ordered\n"
                + "  rules: [burst, ok]\n  group-by: [user.username]\n  timespan: 1h\n";
        Engine engine = engine(yaml);
        List<Alert> burst = feed(engine, List.of(denied(1, "2026-11-20T10:00:00Z"), denied(2, "2026-11-20T10:01:00Z"),
                denied(3, "2026-11-20T10:02:00Z")));
        assertEquals(List.of(), burst, "the burst is counted silently: it is disabled, and only feeds 'then'");
        List<Alert> then = feed(engine, List.of(event().auditID("ok-1").received("2026-11-20T10:05:00Z")));
        assertEquals(List.of("then"), then.stream().map(a -> a.rule().id()).toList());
    }

    @Test
    void shouldRejectBrokenCorrelationsWithTheirLines() {
        RuleException e = assertThrows(RuleException.class, () -> engine("title: b\nid: b\nlevel: low\ncorrelation:\n"
                + "  type: event_count\n  rules: [nope]\n  timespan: soon\n  condition:\n    lt: 3\n"));
        assertEquals(List.of("c.yml:15: correlation.rules.0: unknown rule 'nope' (a correlation may count rules, and"
                        + " correlations defined before it)",
                "c.yml:16: correlation.timespan: a duration is a number and s, m, h, d or w (e.g. 10m), not 'soon'",
                "c.yml:17: correlation.condition: a count condition is gte, gt or eq with a positive number"
                        + " (lt and lte cannot fire while events stream in)"),
                e.errors().stream().map(RuleError::toString).toList());
    }
}
