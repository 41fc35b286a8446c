package io.auditwatch.nodegraph;

import static io.auditwatch.testing.EventJson.binding;
import static io.auditwatch.testing.EventJson.kubelet;
import static io.auditwatch.testing.EventJson.podCreate;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.alert.Alert;
import io.auditwatch.alert.Level;
import io.auditwatch.analyses.Analyses;
import io.auditwatch.event.AuditEvent;
import io.auditwatch.language.TunedRules;
import io.auditwatch.state.ExpiringState;
import io.auditwatch.state.TreeMapStore;
import io.auditwatch.testing.EventJson;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The node rules change like any rule of the pack: level, enabled and exceptions, at run time, no restart. */
class NodeRulesTuningTest {
    private static final String A = "ip-10-0-1-17.ec2.internal";
    private static final String B = "ip-10-0-2-31.ec2.internal";
    private static final String SPEC = "{\"serviceAccountName\":\"web\",\"volumes\":[{\"name\":\"db\",\"secret\":"
            + "{\"secretName\":\"db-credentials\"}}],\"containers\":[{\"name\":\"web\",\"image\":\"web:1\"}]}";

    private final TunedRules tuned = TunedRules.defaults(Duration.ofHours(1));
    private final Analyses analyses = Analyses.standard(Duration.ofHours(1), Duration.ofSeconds(90), tuned, tuned);

    /** Node B's kubelet reads the secret of a pod on node A: the graph's alerts, as they are tuned at the end. */
    private List<Alert> kubeletOfBReadsSecretOfPodOnA() {
        ExpiringState state = new ExpiringState(new TreeMapStore());
        List<Alert> alerts = new ArrayList<>();
        NodeGraph graph = analyses.nodeGraph();
        for (EventJson event : List.of(podCreate("shop", "web-1", "u-1", SPEC).auditID("c-1").at(0),
                binding("shop", "web-1", A).auditID("b-1").at(0.2),
                kubelet(B).objectRef("secrets", "shop", "db-credentials", null).auditID("k-1").at(10))) {
            AuditEvent e = event.parse();
            state.advanceTo(e.eventTimeMillis());
            alerts.addAll(graph.process(e, state));
        }
        alerts.addAll(graph.flush(state, Long.MAX_VALUE));
        return alerts;
    }

    @Test
    void shouldRaiseTheNodeGraphsAlertAtTheLevelAndWithTheExceptionsPushedAtRunTime() {
        assertEquals(List.of(Level.CRITICAL), levels(kubeletOfBReadsSecretOfPodOnA()));

        assertTrue(tuned.apply("node-credential-unrelated-access", "level: medium").accepted());
        assertEquals(List.of(Level.MEDIUM), levels(kubeletOfBReadsSecretOfPodOnA()));

        assertTrue(tuned.apply("node-credential-unrelated-access",
                "exceptions:\n  - user.username: system:node:" + B + "\n    objectRef.resource: secrets\n").accepted());
        assertEquals(List.of(), kubeletOfBReadsSecretOfPodOnA(), "the exception silences node B's reads");

        assertTrue(tuned.apply("node-credential-unrelated-access", null).accepted());
        assertEquals(List.of(Level.CRITICAL), levels(kubeletOfBReadsSecretOfPodOnA()), "a tombstone restores the pack's");

        assertTrue(tuned.apply("node-credential-unrelated-access", "enabled: false").accepted());
        assertEquals(List.of(), kubeletOfBReadsSecretOfPodOnA());
    }

    @Test
    void shouldTuneTheBuiltInNonNodeActionRuleAsAnyOther() {
        EventJson exec = kubelet(B).verb("create").objectRef("pods", "shop", "web-1", "exec").code(101);
        assertEquals(List.of(Level.CRITICAL), levels(nonNodeActions(exec)));
        assertTrue(tuned.apply("node-credential-non-node-action", "level: high").accepted());
        assertEquals(List.of(Level.HIGH), levels(nonNodeActions(exec)));
        assertTrue(tuned.apply("node-credential-non-node-action", "exceptions:\n  - objectRef.namespace: shop\n").accepted());
        assertEquals(List.of(), nonNodeActions(exec));
    }

    @Test
    void shouldRejectARuleOfAnUnknownAnalysisAndKeepTheLastGoodOne() {
        TunedRules.Change change = tuned.apply("node-credential-denied", """
                title: Node credential denied access to another node's objects
                id: node-credential-denied
                level: low
                analysis: node-grahp
                """);
        assertTrue(!change.accepted() && change.reason().contains("analysis"), change.toString());
        assertEquals(Level.HIGH, tuned.rule(NodeRules.DENIED).definition().level());
    }

    private List<Alert> nonNodeActions(EventJson event) {
        return tuned.engine().process(event.parse(), new ExpiringState(new TreeMapStore())).stream()
                .filter(a -> a.rule().id().equals(NodeRules.NON_NODE_ACTION)).toList();
    }

    private static List<Level> levels(List<Alert> alerts) {
        return alerts.stream().map(a -> a.rule().level()).toList();
    }
}
