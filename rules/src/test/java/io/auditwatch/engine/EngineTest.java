package io.auditwatch.engine;

import static io.auditwatch.testing.EventJson.T0;
import static io.auditwatch.testing.EventJson.T0_MILLIS;
import static io.auditwatch.testing.EventJson.event;
import static io.auditwatch.testing.EventJson.portForward;
import static io.auditwatch.testing.EventJson.podExec;
import static io.auditwatch.testing.EventJson.secretGet;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.alert.Alert;
import io.auditwatch.alert.AlertCodec;
import io.auditwatch.alert.Level;
import io.auditwatch.testing.CoreRules;
import io.auditwatch.event.AuditEvent;
import io.auditwatch.event.AuditEventReader;
import io.auditwatch.identity.Identity;
import io.auditwatch.state.ExpiringState;
import io.auditwatch.state.TreeMapStore;
import io.auditwatch.testing.EventJson;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EngineTest {
    private static final Duration MEMORY = Duration.ofHours(1);

    private final Engine engine = new Engine(CoreRules.detections(), MEMORY);
    private final TreeMapStore store = new TreeMapStore();
    private final ExpiringState state = new ExpiringState(store);

    private List<Alert> evaluate(EventJson event) {
        AuditEvent e = event.parse();
        state.advanceTo(e.eventTimeMillis());
        return engine.process(e, state);
    }

    private static Alert alertOf(EventJson event) {
        List<Alert> alerts = new Engine(CoreRules.detections(), MEMORY)
                .process(event.parse(), new ExpiringState(new TreeMapStore()));
        assertEquals(1, alerts.size(), () -> "alerts for " + event);
        return alerts.get(0);
    }

    @Test
    void shouldRunTheCoreRules() {
        assertEquals(List.of("pod-exec", "pod-portforward", "secret-read", "anonymous-allowed"),
                engine.detections().stream().map(d -> d.rule().id()).toList());
    }

    @Test
    void shouldAlertOncePerRequestSeenAtResponseStartedAndResponseComplete() {
        EventJson started = portForward().auditID("pf-1").stage("ResponseStarted").code(101)
                .stageAt("2024-05-01T10:00:00.2Z");
        EventJson complete = portForward().auditID("pf-1").stage("ResponseComplete").code(200)
                .stageAt("2024-05-01T10:42:13.9Z");

        List<Alert> first = evaluate(started);
        List<Alert> second = evaluate(complete);

        assertEquals(List.of("pod-portforward"), first.stream().map(a -> a.rule().id()).toList());
        assertEquals(List.of(), second);
    }

    @Test
    void shouldAlertAgainForAnotherRequestOfTheSameUser() {
        assertEquals(1, evaluate(portForward().auditID("pf-1")).size());
        assertEquals(1, evaluate(portForward().auditID("pf-2")).size());
    }

    @Test
    void shouldNotMistakeAForgedAuditIdOfAnotherUserForTheSameRequest() {
        assertEquals(1, evaluate(portForward().auditID("pf-1")).size());
        assertEquals(1, evaluate(portForward().auditID("pf-1").user("mallory@example.com")).size());
    }

    @Test
    void shouldAlertAgainForTheSameCompletedRequestOnceTheRequestMemoryHasPassed() {
        AuditEvent complete = portForward().auditID("pf-1").stage("ResponseComplete").parse();
        assertEquals(1, engine.process(complete, state).size());

        state.advanceTo(complete.stageTimeMillis() + MEMORY.toMillis() - 1);
        assertEquals(0, engine.process(complete, state).size());

        state.advanceTo(complete.stageTimeMillis() + MEMORY.toMillis());
        assertEquals(1, engine.process(complete, state).size());
    }

    @Test
    void shouldRememberARequestThatFiredBeforeCompletingForADaySoALongSessionAlertsOnce() {
        AuditEvent started = portForward().auditID("pf-1").parse();
        assertEquals(1, engine.process(started, state).size());

        // The session ends four hours later: same request, its ResponseComplete stage.
        AuditEvent complete = portForward().auditID("pf-1").stage("ResponseComplete")
                .stageAt("2024-05-01T14:00:00.000000Z").parse();
        state.advanceTo(started.eventTimeMillis() + Duration.ofHours(4).toMillis());
        assertEquals(0, engine.process(complete, state).size());
    }

    @Test
    void shouldAlertOncePerRequestForEventsWithoutAuditId() {
        EventJson started = podExec().remove("auditID").stage("ResponseStarted");
        EventJson complete = podExec().remove("auditID").stage("ResponseComplete").code(200);

        assertEquals(1, evaluate(started).size());
        assertEquals(0, evaluate(complete).size());
        assertEquals(1, evaluate(podExec().remove("auditID").received("2024-05-01T10:01:00Z")).size());
    }

    @Test
    void shouldWriteNoStateForAnEventThatMatchesNothing() {
        assertEquals(List.of(), evaluate(event()));
        assertEquals(0, store.size());
    }

    @Test
    void shouldRaiseOneAlertPerMatchingDetection() {
        Detection everything = new Detection() {
            private final RuleDefinition rule = new RuleDefinition("everything", "Any request", Level.LOW,
                    List.of(), List.of());

            @Override
            public RuleDefinition rule() {
                return rule;
            }

            @Override
            public boolean matches(AuditEvent event) {
                return true;
            }

            @Override
            public String summary(AuditEvent event) {
                return "any";
            }

            @Override
            public String explanation(AuditEvent event) {
                return "any";
            }
        };
        Engine two = new Engine(List.of(CoreRules.detections().get(0), everything), MEMORY);

        List<Alert> alerts = two.process(podExec().parse(), state);

        assertEquals(List.of("pod-exec", "everything"), alerts.stream().map(a -> a.rule().id()).toList());
        assertNotEquals(alerts.get(0).id(), alerts.get(1).id());
        assertEquals(1, two.process(event().auditID("other").parse(), state).size());
    }

    @Test
    void shouldGiveTheSameAlertIdForTheSameInput() {
        Alert a = alertOf(podExec());
        Alert b = alertOf(podExec());

        assertEquals(a.id(), b.id());
        assertEquals(32, a.id().length());
        assertTrue(a.id().matches("[0-9a-f]+"), a.id());
        assertEquals(a, b, "the whole alert is a function of the input");
    }

    @Test
    void shouldGiveTheSameAlertIdForEveryStageOfOneRequest() {
        Alert started = alertOf(podExec().stage("ResponseStarted"));
        Alert complete = alertOf(podExec().stage("ResponseComplete").code(200)
                .stageAt("2024-05-01T10:12:00Z"));

        assertEquals(started.id(), complete.id());
    }

    @Test
    void shouldGiveDifferentAlertIdsForDifferentRequests() {
        assertNotEquals(alertOf(podExec().auditID("a-1")).id(), alertOf(podExec().auditID("a-2")).id());
        assertNotEquals(alertOf(podExec()).id(), alertOf(podExec().received("2024-05-01T10:00:01Z")).id());
    }

    @Test
    void shouldShareTheDedupKeyAcrossRequestsOfTheSameRuleIdentityAndTarget() {
        Alert a = alertOf(podExec().auditID("a-1"));
        Alert b = alertOf(podExec().auditID("a-2").received("2024-05-01T11:00:00Z"));

        assertNotEquals(a.id(), b.id());
        assertEquals(a.dedupKey(), b.dedupKey());
        assertTrue(a.dedupKey().startsWith("pod-exec:"), a.dedupKey());
    }

    @Test
    void shouldSeparateTheDedupKeyByIdentityTargetAndImpersonation() {
        String base = alertOf(podExec()).dedupKey();

        assertNotEquals(base, alertOf(podExec().user("bob@example.com")).dedupKey());
        assertNotEquals(base, alertOf(podExec().objectRef("pods", "shop", "web-2", "exec")).dedupKey());
        assertNotEquals(base, alertOf(podExec().objectRef("pods", "shop", "web-1", "attach")).dedupKey());
        assertNotEquals(base, alertOf(podExec().setJson("impersonatedUser", "{\"username\":\"admin\"}")).dedupKey());
    }

    @Test
    void shouldFillTheAlertFromTheEvent() {
        Alert a = alertOf(podExec().auditID("a-17"));

        assertAll(
                () -> assertEquals("pod-exec", a.rule().id()),
                () -> assertEquals("Exec or attach into a pod", a.rule().title()),
                () -> assertEquals(Level.MEDIUM, a.rule().level()),
                () -> assertTrue(a.rule().tags().contains("attack.t1609"), a.rule().tags()::toString),
                // A WebSocket exec (verb get) is Elastic's and Panther's rule, not Falco's or SigmaHQ's (create only).
                () -> assertEquals(List.of("panther:Kubernetes.Pod.Exec", "elastic:Kubernetes User Exec into Pod"),
                        a.rule().equivalents()),
                () -> assertEquals(EventJson.CLUSTER, a.cluster()),
                () -> assertEquals("alice@example.com", a.identity().username()),
                () -> assertEquals("user", a.identity().kind()),
                () -> assertNull(a.identity().node()),
                () -> assertEquals(new Alert.Target("pods", "shop", "web-1", "exec", null), a.target()),
                () -> assertEquals("exec into pod shop/web-1", a.summary()),
                () -> assertTrue(a.explanation().contains("alice@example.com"), a.explanation()),
                () -> assertTrue(a.explanation().contains("203.0.113.45"), a.explanation()),
                () -> assertEquals("2024-05-01T10:00:00.123Z", a.firstSeen()),
                () -> assertEquals(a.firstSeen(), a.lastSeen()),
                () -> assertEquals(1, a.count()),
                () -> assertEquals(1, a.evidence().size()));
        Alert.Evidence ev = a.evidence().get(0);
        assertAll(
                () -> assertEquals("a-17", ev.auditID()),
                () -> assertEquals("ResponseStarted", ev.stage()),
                () -> assertEquals("get", ev.verb()),
                () -> assertTrue(ev.requestURI().startsWith("/api/v1/namespaces/shop/pods/web-1/exec?command=sh")),
                () -> assertEquals(101, ev.code()),
                () -> assertEquals("allow", ev.decision()),
                () -> assertEquals(List.of("203.0.113.45"), ev.sourceIPs()),
                () -> assertTrue(ev.userAgent().startsWith("kubectl/")),
                () -> assertEquals(T0, ev.requestReceivedTimestamp()));
    }

    @Test
    void shouldTakeTheClusterFromTheEventsProvenance() {
        AuditEventReader prod = new AuditEventReader(AuditEventReader.DEFAULT_MAX_EVENT_BYTES, "prod-eu-1");
        AuditEvent e = prod.read(podExec().bytes(), 0).events().get(0);

        List<Alert> alerts = engine.process(e, state);

        assertEquals("prod-eu-1", alerts.get(0).cluster());
        assertNotEquals(alertOf(podExec()).dedupKey(), alerts.get(0).dedupKey(), "clusters do not share pages");
    }

    @Test
    void shouldDescribeANodeBoundServiceAccountWithItsPodAndNode() {
        Alert a = alertOf(podExec().set("user", Map.of(
                "username", "system:serviceaccount:monitoring:node-exporter",
                "extra", Map.of(Identity.CLAIM_NODE_NAME, List.of("ip-10-0-1-17.ec2.internal"),
                        Identity.CLAIM_POD_NAME, List.of("node-exporter-x7k2p"),
                        Identity.CLAIM_CREDENTIAL_ID, List.of("JTI=4f6c2d9e")))));

        assertEquals(new Alert.AlertIdentity("system:serviceaccount:monitoring:node-exporter", "serviceaccount",
                "ip-10-0-1-17.ec2.internal", "monitoring/node-exporter-x7k2p", "JTI=4f6c2d9e", null), a.identity());
    }

    @Test
    void shouldNameTheImpersonatedUser() {
        Alert a = alertOf(podExec().setJson("impersonatedUser",
                "{\"username\":\"system:admin\",\"groups\":[\"system:masters\"]}"));

        assertEquals("system:admin", a.identity().impersonatedUser());
    }

    @Test
    void shouldTargetTheRequestUriWhenTheEventHasNoObject() {
        Alert a = alertOf(EventJson.anonymous("/metrics"));

        assertEquals(new Alert.Target(null, null, null, null, "/metrics"), a.target());
    }

    @Test
    void shouldFallBackToTheEventTimeInEvidenceWithoutRequestReceivedTimestamp() {
        Alert a = alertOf(podExec().remove("requestReceivedTimestamp").stageAt("2024-05-01T10:00:02Z"));

        assertEquals("2024-05-01T10:00:02Z", a.evidence().get(0).requestReceivedTimestamp());
        assertEquals("2024-05-01T10:00:02Z", a.firstSeen());
    }

    @Test
    void shouldSurviveAJsonRoundTripWithLowerCaseLevelAndKind() {
        Alert a = alertOf(secretGet());

        String json = AlertCodec.toJson(a);

        assertEquals(a, AlertCodec.fromJson(json));
        assertEquals(a, AlertCodec.fromJson(AlertCodec.toBytes(a)));
        assertEquals("medium", EventJson.tree(json).at("/rule/level").asText());
        assertEquals("user", EventJson.tree(json).at("/identity/kind").asText());
        assertEquals("id", EventJson.tree(json).fieldNames().next());
        assertFalse(EventJson.tree(json).at("/target").has("requestURI"), "nulls are left out");
    }

    @Test
    void shouldDigestDeterministically() {
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                RequestKey.digest("abc", 64));
        assertEquals("ba7816bf", RequestKey.digest("abc", 8));
    }

    @Test
    void shouldKeyARequestByAuditIdUserAndReceiveTime() {
        assertEquals("a-1|alice@example.com|" + T0, RequestKey.of(podExec().auditID("a-1").parse()));
        assertEquals("a-1|alice@example.com|2019-03-04T05:06:07Z", RequestKey.of(podExec().auditID("a-1")
                .apiVersion("audit.k8s.io/v1beta1").remove("requestReceivedTimestamp")
                .set("timestamp", "2019-03-04T05:06:07Z").parse()));
        assertTrue(RequestKey.of(podExec().remove("auditID").parse()).startsWith("h:"));
    }
}
