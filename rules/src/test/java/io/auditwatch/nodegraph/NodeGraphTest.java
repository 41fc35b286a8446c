package io.auditwatch.nodegraph;

import static io.auditwatch.testing.EventJson.binding;
import static io.auditwatch.testing.EventJson.event;
import static io.auditwatch.testing.EventJson.kubelet;
import static io.auditwatch.testing.EventJson.podCreate;
import static io.auditwatch.testing.EventJson.podDelete;
import static io.auditwatch.testing.EventJson.podToken;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditwatch.alert.Alert;
import io.auditwatch.event.AuditEvent;
import io.auditwatch.state.ExpiringState;
import io.auditwatch.state.TreeMapStore;
import io.auditwatch.testing.EventJson;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The node graph driven as the hosts drive it: only the events {@link NodeGraph#accepts} admits, the state's
 * clock advanced to each event's time, pending accesses judged once event time passes the grace window (live)
 * or at end of input (replay's {@code flush(state, Long.MAX_VALUE)}).
 */
class NodeGraphTest {
    private static final String A = "ip-10-0-1-17.ec2.internal";
    private static final String B = "ip-10-0-2-31.ec2.internal";
    /** The web pods of shop: db-credentials and shop-config mounted, service account web. */
    private static final String WEB_SPEC = "{\"serviceAccountName\":\"web\",\"volumes\":["
            + "{\"name\":\"creds\",\"secret\":{\"secretName\":\"db-credentials\"}},"
            + "{\"name\":\"config\",\"configMap\":{\"name\":\"shop-config\"}},"
            + "{\"name\":\"kube-api-access\",\"projected\":{\"sources\":[{\"serviceAccountToken\":{\"path\":\"token\"}},"
            + "{\"configMap\":{\"name\":\"kube-root-ca.crt\"}}]}}],\"containers\":[{\"name\":\"web\",\"image\":\"web:1\"}]}";
    private static final String AGENT_SPEC = "{\"serviceAccountName\":\"log-agent\",\"volumes\":["
            + "{\"name\":\"config\",\"configMap\":{\"name\":\"log-agent-config\"}}],\"containers\":[{\"name\":\"agent\"}]}";

    private final NodeGraph graph = new NodeGraph(Duration.ofSeconds(90), Duration.ofHours(1), Duration.ofMinutes(10));
    private final ExpiringState state = new ExpiringState(new TreeMapStore());
    private final List<Alert> alerts = new ArrayList<>();
    private int requests;

    /** Feeds events as a host does; each gets its own auditID unless a test set one. */
    private void process(ExpiringState into, EventJson... events) {
        for (EventJson event : events) {
            AuditEvent e = event.parse();
            if (e.auditID.equals(event().parse().auditID)) {
                e.auditID = "req-" + ++requests;
            }
            if (graph.accepts(e)) {
                into.advanceTo(e.eventTimeMillis());
                alerts.addAll(graph.process(e, into));
            }
        }
    }

    private void process(EventJson... events) {
        process(state, events);
    }

    /** Event time moves on to {@code seconds} (a pod created elsewhere), flushing what is due, as live does. */
    private void timePassesTo(double seconds) {
        process(podCreate("elsewhere", "tick-" + seconds, "tick-" + seconds, "{}").at(seconds));
    }

    /** End of input, as replay ends. */
    private List<String> fired() {
        alerts.addAll(graph.flush(state, Long.MAX_VALUE));
        return rules();
    }

    private List<String> rules() {
        return alerts.stream().map(a -> a.rule().id()).toList();
    }

    private static EventJson webPod(String name, String uid, String node, double at) {
        return podCreate("shop", name, uid, WEB_SPEC).at(at);
    }

    private void webPodOn(String node, String name, String uid, double at) {
        process(webPod(name, uid, node, at), binding("shop", name, node).at(at + 0.2));
    }

    private void agentOn(String node, String pod, double at) {
        process(podCreate("monitoring", pod, "uid-of-" + pod, AGENT_SPEC).at(at), binding("monitoring", pod, node).at(at + 0.2));
    }

    private static EventJson kubeletGet(String node, String resource, String name, double at) {
        return kubelet(node).objectRef(resource, "shop", name, null).at(at);
    }

    private static EventJson denied(EventJson e, String node) {
        return e.forbidden().reason("no relationship found between node '" + node + "' and this object");
    }

    @Test
    void shouldAlertWhenKubeletReadsSecretOfPodOnAnotherNode() {
        webPodOn(A, "web-1", "u-1", 0);

        process(kubeletGet(B, "secrets", "db-credentials", 10));
        timePassesTo(99);
        assertEquals(List.of(), rules(), "judged only once the grace window has passed");
        timePassesTo(101);

        assertEquals(List.of("node-credential-unrelated-access"), rules());
        Alert alert = alerts.get(0);
        assertEquals("system:node:" + B, alert.identity().username());
        assertEquals("db-credentials", alert.target().name());
        assertTrue(alert.explanation().contains("Only pods on " + A + " reference it."), alert.explanation());
        assertTrue(alert.explanation().contains("allowed it with an empty reason, as its Node authorizer allows what it"
                + " relates to the node: check first whether the node runs a pod that predates the audit stream"),
                alert.explanation());
        assertEquals(Map.of(B + "|unrelated", 1L), graph.coverage());
    }

    @Test
    void shouldNameTheBindingWhenRbacRatherThanTheNodeAuthorizerLetTheKubeletThrough() {
        webPodOn(A, "web-1", "u-1", 0);

        process(kubeletGet(B, "secrets", "db-credentials", 10)
                .reason("RBAC: allowed by ClusterRoleBinding \"nodes-read-secrets\" of ClusterRole \"secret-reader\" to Group \"system:nodes\""));

        assertEquals(List.of("node-credential-unrelated-access"), fired());
        assertTrue(alerts.get(0).explanation().endsWith("The API server allowed it by RBAC: allowed by ClusterRoleBinding"
                + " \"nodes-read-secrets\" of ClusterRole \"secret-reader\" to Group \"system:nodes\", not by its Node"
                + " authorizer: the node's credential reaches beyond what the Node authorizer grants."),
                alerts.get(0).explanation());
    }

    @Test
    void shouldAlertOncePerObjectWhenTheKubeletKeepsRenewingItsWatch() {
        webPodOn(A, "web-1", "u-1", 0);

        for (int minute = 1; minute <= 30; minute += 5) {
            process(kubelet(B).verb("watch").objectRef("secrets", "shop", "db-credentials", null).at(minute * 60));
        }
        process(kubeletGet(B, "configmaps", "shop-config", 1900));

        assertEquals(List.of("node-credential-unrelated-access", "node-credential-unrelated-access"), fired());
        assertEquals(List.of("db-credentials", "shop-config"), alerts.stream().map(a -> a.target().name()).toList());
        assertEquals(Map.of(B + "|unrelated", 7L), graph.coverage(), "every access is still judged and counted");
    }

    @Test
    void shouldNotAlertWhenKubeletReadsWhatItsOwnPodMounts() {
        webPodOn(A, "web-1", "u-1", 0);

        process(kubeletGet(A, "secrets", "db-credentials", 5),
                kubelet(A).verb("watch").objectRef("configmaps", "shop", "shop-config", null)
                        .uri("/api/v1/namespaces/shop/configmaps?fieldSelector=metadata.name%3Dshop-config&watch=true").at(6),
                kubeletGet(A, "configmaps", "kube-root-ca.crt", 7),
                kubelet(A).verb("create").objectRef("serviceaccounts", "shop", "web", "token").at(8),
                kubelet(A).verb("patch").objectRef("pods", "shop", "web-1", "status").at(9));

        assertEquals(List.of(), fired());
        assertEquals(Map.of(A + "|related", 5L), graph.coverage());
    }

    @Test
    void shouldNotJudgeAnObjectThatOnlyPodsNotYetScheduledReference() {
        process(webPod("web-1", "uid-1", null, 1));

        process(kubeletGet(B, "secrets", "db-credentials", 2));

        assertEquals(List.of(), fired());
        assertEquals(Map.of(B + "|unknown", 1L), graph.coverage());
    }

    @Test
    void shouldNotAlertWhenTheBindingArrivesWithinTheGraceWindow() {
        process(kubeletGet(A, "secrets", "db-credentials", 0));
        webPodOn(A, "web-1", "u-1", 5);
        timePassesTo(200);

        assertEquals(List.of(), fired());
        assertEquals(Map.of(A + "|related", 1L), graph.coverage());
    }

    @Test
    void shouldAlertWhenWhatArrivesWithinTheGraceWindowBindsThePodElsewhere() {
        process(kubeletGet(B, "secrets", "db-credentials", 0));
        webPodOn(A, "web-1", "u-1", 5);

        assertEquals(List.of("node-credential-unrelated-access"), fired());
    }

    @Test
    void shouldJudgeEachRequestOnceWhateverTheStagesItWasLoggedAt() {
        webPodOn(A, "web-1", "u-1", 0);
        EventJson watch = kubelet(B).verb("watch").objectRef("secrets", "shop", "db-credentials", null).auditID("w-1").at(10);

        process(watch.copy().stage("RequestReceived").remove("responseStatus", "annotations"),
                watch.copy().stage("ResponseStarted"), watch.copy().stage("ResponseComplete").stageAt("2024-05-01T10:09:00Z"));

        assertEquals(List.of("node-credential-unrelated-access"), fired());
    }

    @Test
    void shouldTakeOfOtherIdentitiesPodRequestsOnlyTheLifecycle() {
        assertTrue(graph.accepts(webPod("web-1", "u-1", A, 0).parse()));
        assertTrue(graph.accepts(podDelete("shop", "web-1").parse()));
        assertTrue(graph.accepts(kubelet(A).verb("get").objectRef("pods", "shop", "web-1", null).parse()));
        assertFalse(graph.accepts(event().verb("list").objectRef("pods", "shop", null, null).parse()),
                "a controller's pod list changes nothing in the graph");
        assertFalse(graph.accepts(event().verb("get").objectRef("pods", "shop", "web-1", null).parse()));
        assertFalse(graph.accepts(webPod("web-1", "u-1", A, 0).code(409).parse()), "a create that failed");
    }

    @Test
    void shouldRememberAJudgedRequestOnlyWhileALaterStageCanFollow() {
        webPodOn(A, "web-1", "u-1", 0);
        EventJson watch = kubelet(A).verb("watch").objectRef("secrets", "shop", "db-credentials", null).auditID("w-1").at(10);

        process(kubeletGet(A, "secrets", "db-credentials", 5));
        assertEquals(List.of(), firedKeys(), "a request judged at its last stage: nothing to remember");
        process(watch.copy().stage("ResponseStarted"));
        assertEquals(1, firedKeys().size(), "a watch judged when it started: its completion must not count again");
        process(watch.copy().stage("ResponseComplete").stageAt("2024-05-01T10:09:00Z"));

        assertEquals(List.of(), fired());
        assertEquals(Map.of(A + "|related", 2L), graph.coverage());
    }

    private List<String> firedKeys() {
        List<String> keys = new ArrayList<>();
        state.range("fired|", (k, v) -> keys.add(k));
        return keys;
    }

    @Test
    void shouldNotJudgeWhenPodsWereLoggedAtMetadataLevelOnly() {
        process(webPod("web-1", "u-1", A, 0).set("level", "Metadata").remove("responseObject"),
                binding("shop", "web-1", A).at(0.2).set("level", "Metadata").remove("requestObject"),
                kubeletGet(B, "secrets", "db-credentials", 10));

        assertEquals(List.of(), fired());
        assertEquals(Map.of(B + "|unknown", 1L), graph.coverage());
    }

    @Test
    void shouldNotJudgeANodeThatRunsAPodTheGraphNeverSaw() {
        webPodOn(A, "web-1", "u-1", 0);

        // B's kubelet updates a shop pod that predates the stream: whatever it mounts, B may read.
        process(kubelet(B).verb("patch").objectRef("pods", "shop", "legacy-7f9c", "status").at(5));
        timePassesTo(100);
        process(kubeletGet(B, "secrets", "db-credentials", 110));

        assertEquals(List.of(), fired());
        assertEquals(Map.of(B + "|unknown", 2L), graph.coverage());
    }

    @Test
    void shouldJudgeTheNodeAgainOnceThePodItTouchedUnseenIsLearned() {
        webPodOn(A, "web-1", "u-1", 0);
        process(kubelet(B).verb("patch").objectRef("pods", "shop", "legacy-7f9c", "status").at(5));

        // The snapshot (or a late create) shows what legacy-7f9c mounts: nothing of web's.
        for (AuditEvent pod : Inventory.events(EventJson.tree("{\"kind\":\"Pod\",\"metadata\":{\"name\":\"legacy-7f9c\","
                + "\"namespace\":\"shop\",\"uid\":\"u-9\"},\"spec\":{\"nodeName\":\"" + B + "\",\"containers\":[{\"name\":\"x\"}]}}"),
                EventJson.reader())) {
            graph.process(pod, state);
        }
        process(kubeletGet(B, "secrets", "db-credentials", 110));

        assertEquals(List.of("node-credential-unrelated-access"), fired());
    }

    /** A pod of the log-agent DaemonSet, as the DaemonSet controller creates it, mounting {@code config}. */
    private void daemonPodOn(String node, String pod, String config, double at) {
        ObjectNode object = (ObjectNode) podCreate("monitoring", pod, "uid-of-" + pod,
                AGENT_SPEC.replace("log-agent-config", config)).parse().responseObject.deepCopy();
        ((ObjectNode) object.get("metadata")).set("ownerReferences", EventJson.tree("[{\"apiVersion\":\"apps/v1\","
                + "\"kind\":\"DaemonSet\",\"name\":\"log-agent\",\"uid\":\"ds-1\",\"controller\":true}]"));
        process(podCreate("monitoring", pod, "uid-of-" + pod, "{}").set("responseObject", object).at(at),
                binding("monitoring", pod, node).at(at + 0.2));
    }

    @Test
    void shouldNotJudgeANodeWhosePodOfADaemonSetTheGraphNeverSaw() {
        // The DaemonSet rolls out a pod on A while the stream runs; B's pod of it predates the stream.
        daemonPodOn(A, "log-agent-a1", "log-agent-config", 0);

        process(kubelet(B).verb("watch").objectRef("configmaps", "monitoring", "log-agent-config", null).at(10));

        assertEquals(List.of(), fired());
        assertEquals(Map.of(B + "|unknown", 1L), graph.coverage());
    }

    @Test
    void shouldAlertWhenKubeletReadsWhatOnlyAnotherNodesRevisionOfItsDaemonSetMounts() {
        // B's pod of the DaemonSet is known and mounts the old config; only A's new pod mounts the new one.
        daemonPodOn(B, "log-agent-b1", "log-agent-config-v1", 0);
        daemonPodOn(A, "log-agent-a2", "log-agent-config-v2", 5);

        process(kubelet(B).verb("get").objectRef("configmaps", "monitoring", "log-agent-config-v2", null).at(10));

        assertEquals(List.of("node-credential-unrelated-access"), fired());
        assertTrue(alerts.get(0).explanation().contains("Only pods on " + A + " reference it."), alerts.get(0).explanation());
    }

    @Test
    void shouldStillAlertWhenAnObjectOfADaemonSetIsAlsoMountedByPodsOfAnotherWorkload() {
        daemonPodOn(A, "log-agent-a1", "db-credentials", 0);
        process(podCreate("monitoring", "web-1", "u-1", WEB_SPEC).at(1), binding("monitoring", "web-1", A).at(1.2));
        daemonPodOn(B, "log-agent-b1", "log-agent-config", 2);

        // B runs a known pod of the DaemonSet, which mounts something else: B has no business with db-credentials.
        process(kubelet(B).verb("get").objectRef("secrets", "monitoring", "db-credentials", null).at(10));

        assertEquals(List.of("node-credential-unrelated-access"), fired());
    }

    @Test
    void shouldKeepAPodRelatedWhileItTerminates() {
        webPodOn(A, "web-1", "u-1", 0);

        process(podDelete("shop", "web-1").at(60), kubeletGet(A, "secrets", "db-credentials", 60 + 20 * 60),
                kubeletGet(B, "secrets", "db-credentials", 60 + 20 * 60 + 1));

        assertEquals(List.of("node-credential-unrelated-access"), fired());
        assertEquals("system:node:" + B, alerts.get(0).identity().username());
    }

    @Test
    void shouldForgetAPodAfterItsFinalDeleteAndTheRecentWindow() {
        webPodOn(A, "web-1", "u-1", 0);
        webPodOn(B, "web-2", "u-2", 0);

        // The kubelet deletes its pod for good; its watches of the pod's objects are denied soon after.
        process(kubelet(A).verb("delete").objectRef("pods", "shop", "web-1", null).at(60),
                denied(kubelet(A).verb("watch").objectRef("configmaps", "shop", "shop-config", null), A).at(65));
        timePassesTo(60 + 5 * 60);
        assertEquals(List.of(), rules(), "within the recent window the deleted pod still relates A to its objects");

        process(kubeletGet(A, "secrets", "db-credentials", 60 + 11 * 60));
        assertEquals(List.of("node-credential-unrelated-access"), fired(), "once forgotten, only web-2 on B uses it");
        assertTrue(alerts.get(0).explanation().contains("Only pods on " + B), alerts.get(0).explanation());
    }

    @Test
    void shouldTreatAGracePeriodZeroDeleteAsFinal() {
        webPodOn(A, "web-1", "u-1", 0);
        webPodOn(B, "web-2", "u-2", 0);

        process(podDelete("shop", "web-1").setJson("requestObject",
                        "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"gracePeriodSeconds\":0}").at(60),
                kubeletGet(A, "secrets", "db-credentials", 60 + 11 * 60));

        assertEquals(List.of("node-credential-unrelated-access"), fired());
    }

    @Test
    void shouldTreatReusedPodNameOnAnotherNodeAsTheNewPod() {
        process(podCreate("shop", "db-0", "u-old", WEB_SPEC).at(0), binding("shop", "db-0", A).at(0.2),
                kubelet(A).verb("delete").objectRef("pods", "shop", "db-0", null).at(600),
                podCreate("shop", "db-0", "u-new", WEB_SPEC).at(601), binding("shop", "db-0", B).at(601.2));

        process(kubelet(B).verb("patch").objectRef("pods", "shop", "db-0", "status").at(700),
                kubeletGet(A, "pods", "db-0", 701));

        assertEquals(List.of("node-credential-unrelated-access"), fired());
        assertEquals("system:node:" + A, alerts.get(0).identity().username());
    }

    @Test
    void shouldNotAlertWhenTheKubeletTouchedItsPodJustBeforeTheNameWasReusedOnAnotherNode() {
        process(podCreate("shop", "db-0", "u-old", WEB_SPEC).at(0), binding("shop", "db-0", A).at(0.2),
                // A's last status update and final delete; the StatefulSet controller recreates db-0 at once.
                kubelet(A).verb("patch").objectRef("pods", "shop", "db-0", "status").at(599),
                kubelet(A).verb("delete").objectRef("pods", "shop", "db-0", null).at(600),
                podCreate("shop", "db-0", "u-new", WEB_SPEC).at(601), binding("shop", "db-0", B).at(601.2));

        assertEquals(List.of(), fired());
        assertEquals(Map.of(A + "|related", 2L), graph.coverage());
    }

    @Test
    void shouldKeepTheNewPodWhenTheOldPodsFinalDeleteIsLoggedAfterItsReplacement() {
        process(podCreate("shop", "db-0", "u-old", WEB_SPEC).at(0), binding("shop", "db-0", A).at(0.2),
                podCreate("shop", "db-0", "u-new", WEB_SPEC).at(601), binding("shop", "db-0", B).at(601.2),
                // A's final delete of the old pod, received before the new create, shipped late by its API server
                kubelet(A).verb("delete").objectRef("pods", "shop", "db-0", null).setJson("responseObject",
                        "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"db-0\",\"uid\":\"u-old\"}}")
                        .set("level", "RequestResponse").at(600.6),
                kubelet(B).verb("patch").objectRef("pods", "shop", "db-0", "status").at(610));

        assertEquals(List.of(), fired(), () -> alerts.get(0).summary());
        assertEquals(Map.of(A + "|related", 1L, B + "|related", 1L), graph.coverage());
    }

    @Test
    void shouldLearnTheNodeOfAPodCreatedWithNodeName() {
        process(podCreate("shop", "debugger", "u-d", "{\"nodeName\":\"" + A + "\",\"volumes\":["
                        + "{\"name\":\"c\",\"configMap\":{\"name\":\"debug-config\"}}]}").at(0),
                kubeletGet(A, "configmaps", "debug-config", 5), kubeletGet(B, "configmaps", "debug-config", 6));

        assertEquals(List.of("node-credential-unrelated-access"), fired());
        assertEquals("system:node:" + B, alerts.get(0).identity().username());
    }

    @Test
    void shouldLearnPodsFromAnInventorySnapshot() {
        for (AuditEvent pod : Inventory.events(EventJson.tree("{\"kind\":\"Pod\",\"metadata\":{\"name\":\"web-1\","
                + "\"namespace\":\"shop\",\"uid\":\"u-1\"},\"spec\":" + WEB_SPEC.replaceFirst("\\{", "{\"nodeName\":\"" + A + "\",")
                + "}"), EventJson.reader())) {
            graph.process(pod, state);
        }

        process(kubeletGet(A, "secrets", "db-credentials", 5), kubeletGet(B, "secrets", "db-credentials", 6));

        assertEquals(List.of("node-credential-unrelated-access"), fired());
    }

    @Test
    void shouldAlertAtOnceWhenKubeletIsDeniedASecretOnlyAnotherNodesPodsUse() {
        webPodOn(A, "web-1", "u-1", 0);
        EventJson get = denied(kubeletGet(B, "secrets", "db-credentials", 10), B).auditID("d-1");

        process(get.copy().stage("RequestReceived").remove("responseStatus", "annotations"), get.copy());

        assertEquals(List.of("node-credential-denied"), rules());
        assertTrue(alerts.get(0).explanation().contains("Only pods on " + A + " reference it."), alerts.get(0).explanation());
        process(get.copy());
        assertEquals(List.of("node-credential-denied"), fired(), "one alert per request");
    }

    @Test
    void shouldAlertWhenKubeletIsDeniedAWholeCollection() {
        process(denied(kubelet(B).verb("list").objectRef("secrets", "shop", null, null), B).at(10));

        assertEquals(List.of("node-credential-denied"), rules());
        assertTrue(alerts.get(0).explanation().contains("asked for every secret in shop"), alerts.get(0).explanation());
    }

    @Test
    void shouldCountButNotAlertANamedDenialOfAnUnknownObject() {
        webPodOn(A, "web-1", "u-1", 0);

        process(denied(kubelet(B).verb("watch").objectRef("configmaps", "shop", "kube-proxy", null)
                .uri("/api/v1/namespaces/shop/configmaps?fieldSelector=metadata.name%3Dkube-proxy&watch=true"), B).at(10));

        assertEquals(List.of(), fired());
        assertEquals(Map.of(B + "|unknown", 1L), graph.coverage());
    }

    @Test
    void shouldCountADeniedWatchOnceWhateverTheStagesItWasLoggedAt() {
        webPodOn(A, "web-1", "u-1", 0);
        EventJson watch = denied(kubelet(A).verb("watch").objectRef("configmaps", "shop", "shop-config", null)
                .uri("/api/v1/namespaces/shop/configmaps?fieldSelector=metadata.name%3Dshop-config&watch=true"), A)
                .auditID("w-403").at(10);

        process(watch.copy().stage("RequestReceived").remove("responseStatus", "annotations"),
                watch.copy().stage("ResponseStarted"), watch.copy().stage("ResponseComplete"));

        assertEquals(List.of(), fired());
        assertEquals(Map.of(A + "|related", 1L), graph.coverage());
    }

    @Test
    void shouldCountButNotAlertANamedDenialOfItsOwnPodsObject() {
        webPodOn(A, "web-1", "u-1", 0);

        process(denied(kubeletGet(A, "configmaps", "shop-config", 10), A));

        assertEquals(List.of(), fired());
        assertEquals(Map.of(A + "|related", 1L), graph.coverage());
    }

    @Test
    void shouldAlertWhenDaemonSetTokenReadsSecretMountedOnlyOnAnotherNode() {
        webPodOn(A, "web-1", "u-1", 0);
        agentOn(A, "log-agent-a1", 0);
        agentOn(B, "log-agent-b1", 0);

        process(podToken("monitoring", "log-agent", "log-agent-a1", A).at(20),
                podToken("monitoring", "log-agent", "log-agent-b1", B).at(21));

        assertEquals(List.of("node-token-cross-node-access"), fired());
        Alert alert = alerts.get(0);
        assertEquals("monitoring/log-agent-b1", alert.identity().pod());
        assertTrue(alert.explanation().contains("a pod token bound to node " + B), alert.explanation());
    }

    @Test
    void shouldAlertWhenDaemonSetTokenMintsTokenForServiceAccountUsedOnlyOnAnotherNode() {
        webPodOn(A, "web-1", "u-1", 0);
        agentOn(B, "log-agent-b1", 0);

        process(podToken("monitoring", "log-agent", "log-agent-b1", B).verb("create")
                .objectRef("serviceaccounts", "shop", "web", "token").at(20));

        assertEquals(List.of("node-token-cross-node-access"), fired());
        assertEquals("token", alerts.get(0).target().subresource());
    }

    @Test
    void shouldAlertWhenDaemonSetTokenExecsIntoAPodOnAnotherNode() {
        webPodOn(A, "web-1", "u-1", 0);
        agentOn(B, "log-agent-b1", 0);

        process(podToken("monitoring", "log-agent", "log-agent-b1", B).verb("get")
                .objectRef("pods", "shop", "web-1", "exec").stage("ResponseStarted").code(101).at(20));

        assertEquals(List.of("node-token-cross-node-access"), fired());
    }

    @Test
    void shouldNotAlertWhenAPodTokenReadsWhatItsOwnPodMounts() {
        agentOn(B, "log-agent-b1", 0);
        agentOn(A, "log-agent-a1", 0);

        process(podToken("monitoring", "log-agent", "log-agent-b1", B)
                .objectRef("configmaps", "monitoring", "log-agent-config", null).at(20));

        assertEquals(List.of(), fired());
    }

    @Test
    void shouldNotJudgeAPodTokenWhoseOwnPodInTheSameNamespaceIsUnknown() {
        webPodOn(A, "web-1", "u-1", 0);

        // A shop pod on B that predates the stream may mount db-credentials itself.
        process(podToken("shop", "web", "web-old-9x", B).at(20));

        assertEquals(List.of(), fired());
        assertEquals(Map.of(B + "|unknown", 1L), graph.coverage());
    }

    @Test
    void shouldJudgeACrossNamespaceTokenAccessFromTheAccessedNamespaceAlone() {
        // Live, the graph is partitioned by namespace: monitoring's pods may live in another task's store.
        ExpiringState monitoring = new ExpiringState(new TreeMapStore());
        process(monitoring, podCreate("monitoring", "log-agent-b1", "u-b1", AGENT_SPEC).at(0),
                binding("monitoring", "log-agent-b1", B).at(0.2));
        webPodOn(A, "web-1", "u-1", 0);

        process(podToken("monitoring", "log-agent", "log-agent-b1", B).at(20));

        assertEquals(List.of("node-token-cross-node-access"), fired());
    }

    @Test
    void shouldNotJudgeWhatAPodTokenDoesNotNeedForLateralMovement() {
        webPodOn(A, "web-1", "u-1", 0);
        agentOn(B, "log-agent-b1", 0);
        EventJson token = podToken("monitoring", "log-agent", "log-agent-b1", B);

        process(token.copy().verb("get").objectRef("pods", "shop", "web-1", null).at(20),
                token.copy().verb("list").objectRef("secrets", "shop", null, null).at(21),
                token.copy().verb("update").objectRef("secrets", "shop", "db-credentials", null).at(22));

        assertEquals(List.of(), fired());
        assertEquals(Map.of(), graph.coverage());
    }

    /** The attach/detach controller attaching PV {@code pv} to {@code node} through attachment {@code name}. */
    private static EventJson attachment(String name, String pv, String node, double at) {
        EventJson e = event().user("system:kube-controller-manager", "system:authenticated").set("level", "RequestResponse")
                .verb("create").objectRef("volumeattachments", null, name, null).code(201).at(at);
        return e.setJson("responseObject", "{\"kind\":\"VolumeAttachment\",\"apiVersion\":\"storage.k8s.io/v1\","
                + "\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{\"attacher\":\"ebs.csi.aws.com\",\"nodeName\":\""
                + node + "\",\"source\":{\"persistentVolumeName\":\"" + pv + "\"}}}");
    }

    private static EventJson kubeletGetClusterScoped(String node, String resource, String name, double at) {
        return kubelet(node).objectRef(resource, null, name, null).at(at);
    }

    @Test
    void shouldAlertWhenKubeletReadsAVolumeAttachedOnlyToAnotherNode() {
        process(attachment("csi-123", "pvc-9f1", A, 0));
        assertEquals(NodeGraph.CLUSTER_SCOPED, NodeGraph.partitionKey(kubeletGetClusterScoped(B, "persistentvolumes", "pvc-9f1", 1).parse()));

        process(kubeletGetClusterScoped(A, "persistentvolumes", "pvc-9f1", 5),
                kubeletGetClusterScoped(B, "persistentvolumes", "pvc-9f1", 6),
                kubeletGetClusterScoped(B, "volumeattachments", "csi-123", 7));

        assertEquals(List.of("node-credential-unrelated-access", "node-credential-unrelated-access"), fired());
        assertTrue(alerts.get(0).explanation().contains("It is attached only to " + A), alerts.get(0).explanation());
    }

    @Test
    void shouldNotJudgeAVolumeWithoutAnyAttachment() {
        process(kubeletGetClusterScoped(B, "persistentvolumes", "nfs-share", 5),
                denied(kubeletGetClusterScoped(B, "persistentvolumes", "local-pv-3", 6), B));

        assertEquals(List.of(), fired());
    }

    @Test
    void shouldKeepADetachedVolumeRelatedForAWhile() {
        process(attachment("csi-123", "pvc-9f1", A, 0));
        process(attachment("csi-123", "pvc-9f1", A, 100).verb("delete").code(200));

        process(kubeletGetClusterScoped(A, "persistentvolumes", "pvc-9f1", 200));
        assertEquals(List.of(), fired());
    }

    /** The PV controller binding PV {@code pv} to claim shop/{@code claim}. */
    private static EventJson boundVolume(String pv, String claim, double at) {
        EventJson e = event().user("system:kube-controller-manager", "system:authenticated").set("level", "RequestResponse")
                .verb("update").objectRef("persistentvolumes", null, pv, null).code(200).at(at);
        return e.setJson("responseObject", "{\"kind\":\"PersistentVolume\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\""
                + pv + "\"},\"spec\":{\"claimRef\":{\"kind\":\"PersistentVolumeClaim\",\"namespace\":\"shop\",\"name\":\""
                + claim + "\"}}}");
    }

    @Test
    void shouldRelateAVolumeToTheNodesWhosePodsUseItsClaim() {
        process(podCreate("shop", "db-0", "u-db", "{\"volumes\":[{\"name\":\"data\",\"persistentVolumeClaim\":"
                + "{\"claimName\":\"data-db-0\"}}],\"containers\":[{\"name\":\"db\"}]}").at(0), binding("shop", "db-0", A).at(0.2));
        process(boundVolume("pvc-77", "data-db-0", 1));

        process(kubeletGetClusterScoped(A, "persistentvolumes", "pvc-77", 5),
                kubeletGetClusterScoped(B, "persistentvolumes", "pvc-77", 6));

        assertEquals(List.of("node-credential-unrelated-access"), fired());
        assertEquals("system:node:" + B, alerts.get(0).identity().username());
        assertTrue(alerts.get(0).explanation().contains(A), alerts.get(0).explanation());
    }

    @Test
    void shouldResolveAPodTokenWithoutANodeClaimThroughItsPod() {
        webPodOn(A, "web-1", "u-1", 0);
        agentOn(B, "log-agent-b", 1);
        // Before 1.30 a pod token named its pod, not its node.
        EventJson preNodeClaims = event().user("system:serviceaccount:monitoring:log-agent", "system:serviceaccounts",
                        "system:authenticated")
                .extra(io.auditwatch.identity.Identity.CLAIM_POD_NAME, "log-agent-b")
                .extra(io.auditwatch.identity.Identity.CLAIM_POD_UID, "uid-of-log-agent-b")
                .objectRef("secrets", "shop", "db-credentials", null).at(5);
        assertTrue(graph.accepts(preNodeClaims.parse()));
        assertEquals("monitoring", NodeGraph.partitionKey(preNodeClaims.parse()), "resolved in its pod's namespace first");

        process(preNodeClaims);

        assertEquals(List.of("node-token-cross-node-access"), fired());
        assertEquals(B, alerts.get(0).identity().node());
    }

    @Test
    void shouldLearnVolumesAndTheirClaimsFromAnInventorySnapshot() {
        String list = "{\"kind\":\"List\",\"items\":["
                + "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"db-0\",\"namespace\":\"shop\",\"uid\":\"u-db\"},\"spec\":{"
                + "\"nodeName\":\"" + A + "\",\"containers\":[{\"name\":\"db\"}],\"volumes\":[{\"name\":\"data\","
                + "\"persistentVolumeClaim\":{\"claimName\":\"data-db-0\"}}]}},"
                + "{\"kind\":\"PersistentVolume\",\"metadata\":{\"name\":\"pvc-77\"},\"spec\":{\"claimRef\":{"
                + "\"namespace\":\"shop\",\"name\":\"data-db-0\"}}}]}";
        for (AuditEvent item : Inventory.events(EventJson.tree(list), EventJson.reader())) {
            graph.process(item, state);
        }

        process(kubeletGetClusterScoped(A, "persistentvolumes", "pvc-77", 5),
                kubeletGetClusterScoped(B, "persistentvolumes", "pvc-77", 6));

        assertEquals(List.of("node-credential-unrelated-access"), fired());
        assertEquals("system:node:" + B, alerts.get(0).identity().username());
    }
}
