package io.auditwatch.nodegraph;

import static io.auditwatch.testing.EventJson.secretGet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.alert.Alert;
import io.auditwatch.event.AuditEvent;
import io.auditwatch.identity.Identity;
import io.auditwatch.language.RuleSet;
import io.auditwatch.state.ExpiringState;
import io.auditwatch.state.TreeMapStore;
import io.auditwatch.testing.EventJson;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenSourcesTest {
    private static final Instant START = Instant.parse("2026-11-20T03:00:00Z");

    private final TokenSources sources = new TokenSources(Duration.ofMinutes(10), Duration.ofDays(30), Duration.ofHours(1),
            RuleSet.defaults());
    private final ExpiringState state = new ExpiringState(new TreeMapStore());

    private static EventJson tokenCall(String auditID, String credential, String ip, Duration after) {
        return secretGet().auditID(auditID)
                .user("system:serviceaccount:monitoring:log-agent", "system:serviceaccounts", "system:authenticated")
                .extra(Identity.CLAIM_NODE_NAME, "node-b")
                .extra(Identity.CLAIM_POD_NAME, "log-agent-x7k2p")
                .extra(Identity.CLAIM_POD_UID, "6f1c7a9e-0000-4000-8000-000000000001")
                .extra(Identity.CLAIM_CREDENTIAL_ID, credential)
                .set("sourceIPs", List.of(ip))
                .received(START.plus(after).toString());
    }

    /** Another workload's token on node-b: external-dns's. */
    private static EventJson externalDns(String auditID, String ip, Duration after) {
        return secretGet().auditID(auditID)
                .user("system:serviceaccount:dns:external-dns", "system:serviceaccounts", "system:authenticated")
                .extra(Identity.CLAIM_NODE_NAME, "node-b")
                .extra(Identity.CLAIM_POD_NAME, "external-dns-5d9c7")
                .extra(Identity.CLAIM_POD_UID, "6f1c7a9e-0000-4000-8000-000000000009")
                .extra(Identity.CLAIM_CREDENTIAL_ID, "JTI=9")
                .set("sourceIPs", List.of(ip))
                .received(START.plus(after).toString());
    }

    private List<Alert> process(EventJson json) {
        AuditEvent e = json.parse();
        state.advanceTo(e.eventTimeMillis());
        return sources.process(e, state);
    }

    @Test
    void shouldAlertWhenANodeTokenIsUsedFromAForeignAddressAfterLearning() {
        assertEquals(List.of(), process(tokenCall("a1", "JTI=1", "10.0.2.14", Duration.ZERO)));
        List<Alert> alerts = process(tokenCall("a2", "JTI=1", "198.51.100.7", Duration.ofMinutes(15)));
        assertEquals(1, alerts.size());
        Alert alert = alerts.get(0);
        assertEquals("node-token-foreign-source", alert.rule().id());
        assertEquals("node-b", alert.identity().node());
        assertTrue(alert.explanation().contains("198.51.100.7"), alert.explanation());
    }

    @Test
    void shouldLearnEveryAddressDuringTheLearningPeriod() {
        process(tokenCall("a1", "JTI=1", "10.0.2.14", Duration.ZERO));
        assertEquals(List.of(), process(tokenCall("a2", "JTI=1", "198.51.100.7", Duration.ofMinutes(5))));
        assertEquals(List.of(), process(tokenCall("a3", "JTI=1", "198.51.100.7", Duration.ofMinutes(20))));
    }

    @Test
    void shouldAcceptANewPodAddressInTheNodesKnownRangeAndARotatedToken() {
        process(tokenCall("a1", "JTI=1", "10.0.2.14", Duration.ZERO));
        assertEquals(List.of(), process(tokenCall("a2", "JTI=2", "10.0.2.77", Duration.ofMinutes(30))));
    }

    @Test
    void shouldAlertOncePerRequestAndIgnoreTokensWithoutANode() {
        process(tokenCall("a1", "JTI=1", "10.0.2.14", Duration.ZERO));
        EventJson foreign = tokenCall("a2", "JTI=1", "198.51.100.7", Duration.ofMinutes(15));
        assertEquals(1, process(foreign.copy().stage("ResponseStarted")).size());
        assertEquals(0, process(foreign.copy().stage("ResponseComplete")).size());

        AuditEvent unbound = secretGet().user("system:serviceaccount:shop:web").set("sourceIPs", List.of("198.51.100.7")).parse();
        assertFalse(sources.accepts(unbound));
    }

    @Test
    void shouldLetAServiceAccountNewOnALearntNodeLearnItsOwnAddresses() {
        // A host-network DaemonSet teaches the node its host address; a Deployment's pod then calls from the pod network.
        process(tokenCall("a1", "JTI=1", "10.0.1.17", Duration.ZERO));
        assertEquals(List.of(), process(externalDns("b1", "10.244.3.5", Duration.ofMinutes(30))));
        EventJson stolen = externalDns("b2", "198.51.100.7", Duration.ofMinutes(45));
        assertEquals(List.of("node-token-foreign-source"), process(stolen).stream().map(a -> a.rule().id()).toList(),
                "once its own addresses are learnt, a foreign one alerts");
    }

    @Test
    void shouldNameSlash24AndSlash64Ranges() {
        assertEquals("10.0.2.0/24", TokenSources.range("10.0.2.14"));
        assertEquals("fd00:10:244:1::/64", TokenSources.range("fd00:10:244:1:0:0:0:5"));
    }
}
