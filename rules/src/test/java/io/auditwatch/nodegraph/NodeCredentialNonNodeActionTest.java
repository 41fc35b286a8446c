package io.auditwatch.nodegraph;

import static io.auditwatch.testing.EventJson.kubelet;
import static io.auditwatch.testing.EventJson.podToken;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.alert.Alert;
import io.auditwatch.engine.Engine;
import io.auditwatch.event.AuditEvent;
import io.auditwatch.language.RuleSet;
import io.auditwatch.state.ExpiringState;
import io.auditwatch.state.TreeMapStore;
import io.auditwatch.testing.EventJson;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** node-credential-non-node-action, judged through the engine as the hosts run it. */
class NodeCredentialNonNodeActionTest {
    private static final String B = "ip-10-0-2-31.ec2.internal";

    private final Engine engine = new Engine(RuleSet.defaults().all().stream()
            .filter(d -> d.rule().id().equals(NodeRules.NON_NODE_ACTION)).toList(), Duration.ofHours(1));
    private final ExpiringState state = new ExpiringState(new TreeMapStore());

    private List<Alert> alerts(EventJson event) {
        AuditEvent e = event.parse();
        state.advanceTo(e.eventTimeMillis());
        return engine.process(e, state);
    }

    private String summary(EventJson event) {
        List<Alert> alerts = alerts(event);
        assertEquals(1, alerts.size(), () -> "alerts for " + event);
        assertEquals("node-credential-non-node-action", alerts.get(0).rule().id());
        return alerts.get(0).summary();
    }

    private static EventJson kubeletB() {
        return kubelet(B);
    }

    @ParameterizedTest
    @ValueSource(strings = {"exec", "attach", "portforward"})
    void shouldAlertWhenKubeletOpensAStreamIntoAPod(String sub) {
        assertEquals("node " + B + ": " + sub + " into a pod",
                summary(kubeletB().verb("get").objectRef("pods", "shop", "web-1", sub).stage("ResponseStarted").code(101)));
    }

    @Test
    void shouldAlertWhenTheAuthorizerDeniedTheAttemptToo() {
        List<Alert> alerts = alerts(kubeletB().verb("create").objectRef("pods", "shop", "web-1", "exec").forbidden());

        assertEquals(1, alerts.size());
        assertTrue(alerts.get(0).explanation().contains("denied"), alerts.get(0).explanation());
    }

    @Test
    void shouldAlertWhenKubeletUsesNodesProxy() {
        assertEquals("node " + B + ": nodes/proxy (the kubelet API of a node)",
                summary(kubeletB().objectRef("nodes", null, "ip-10-0-1-17.ec2.internal", "proxy")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"create", "patch", "delete", "bind", "escalate"})
    void shouldAlertWhenKubeletWritesRbac(String verb) {
        EventJson write = kubeletB().verb(verb).objectRef("clusterrolebindings", null, "pwned", null)
                .setJson("objectRef", "{\"resource\":\"clusterrolebindings\",\"name\":\"pwned\","
                        + "\"apiGroup\":\"rbac.authorization.k8s.io\",\"apiVersion\":\"v1\"}");

        assertEquals("node " + B + ": an RBAC write (" + verb + " clusterrolebindings)", summary(write));
    }

    @Test
    void shouldNotAlertWhenKubeletReadsRbac() {
        assertEquals(List.of(), alerts(kubeletB().verb("get").setJson("objectRef", "{\"resource\":\"clusterroles\","
                + "\"name\":\"admin\",\"apiGroup\":\"rbac.authorization.k8s.io\",\"apiVersion\":\"v1\"}")));
    }

    @Test
    void shouldAlertWhenKubeletListsAllSecretsOfTheCluster() {
        assertEquals("node " + B + ": list of all secrets",
                summary(kubeletB().verb("list").objectRef("secrets", null, null, null)));
    }

    @Test
    void shouldAlertWhenKubeletWatchesAllConfigMapsOfANamespace() {
        assertEquals("node " + B + ": watch of all configmaps", summary(kubeletB().verb("watch")
                .objectRef("configmaps", "shop", null, null).uri("/api/v1/namespaces/shop/configmaps?watch=true")));
    }

    @Test
    void shouldNotAlertWhenKubeletWatchesOneConfigMapThroughAFieldSelector() {
        assertEquals(List.of(), alerts(kubeletB().verb("watch").objectRef("configmaps", "shop", null, null)
                .uri("/api/v1/namespaces/shop/configmaps?fieldSelector=metadata.name%3Dkube-root-ca.crt&watch=true")));
    }

    @Test
    void shouldAlertWhenKubeletImpersonates() {
        assertEquals("node " + B + ": impersonation", summary(kubeletB().verb("impersonate")
                .setJson("objectRef", "{\"resource\":\"users\",\"name\":\"admin\",\"apiVersion\":\"v1\"}")));
        assertEquals("node " + B + ": impersonation", summary(kubeletB().auditID("second")
                .setJson("impersonatedUser", "{\"username\":\"admin\",\"groups\":[\"system:masters\"]}")));
    }

    @Test
    void shouldAlertWhenKubeletCreatesAPodThatIsNotAMirrorPod() {
        assertEquals("node " + B + ": creating a pod that is not a mirror pod", summary(kubeletB().verb("create")
                .objectRef("pods", "shop", null, null).code(201)
                .setJson("requestObject", "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"x\"},\"spec\":{}}")));
    }

    @Test
    void shouldNotAlertWhenKubeletCreatesItsMirrorPod() {
        assertEquals(List.of(), alerts(kubeletB().verb("create").objectRef("pods", "kube-system", null, null).code(201)
                .setJson("requestObject", "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"kube-proxy-b\","
                        + "\"annotations\":{\"kubernetes.io/config.mirror\":\"5f2d\"}},\"spec\":{\"nodeName\":\"" + B + "\"}}")));
    }

    @Test
    void shouldNotAlertOnWhatKubeletsDoAllDay() {
        List<EventJson> routine = List.of(
                kubeletB().verb("update").setJson("objectRef", "{\"resource\":\"leases\",\"namespace\":\"kube-node-lease\","
                        + "\"name\":\"" + B + "\",\"apiGroup\":\"coordination.k8s.io\",\"apiVersion\":\"v1\"}"),
                kubeletB().verb("patch").objectRef("nodes", null, B, "status"),
                kubeletB().verb("list").objectRef("pods", null, null, null)
                        .uri("/api/v1/pods?fieldSelector=spec.nodeName%3D" + B + "&limit=500"),
                kubeletB().verb("create").objectRef("serviceaccounts", "monitoring", "log-agent", "token"),
                kubeletB().verb("patch").objectRef("pods", "monitoring", "log-agent-b1", "status"),
                kubeletB().verb("get").objectRef("secrets", "shop", "db-credentials", null));
        for (EventJson e : routine) {
            assertEquals(List.of(), alerts(e), e::json);
        }
    }

    @Test
    void shouldNotAlertWhenAPodTokenExecs() {
        assertEquals(List.of(), alerts(podToken("monitoring", "log-agent", "log-agent-b1", B).verb("get")
                .objectRef("pods", "shop", "web-1", "exec").stage("ResponseStarted").code(101)));
    }
}
