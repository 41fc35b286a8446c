package io.auditwatch.language;

import static io.auditwatch.testing.EventJson.anonymous;
import static io.auditwatch.testing.EventJson.event;
import static io.auditwatch.testing.EventJson.podExec;
import static io.auditwatch.testing.EventJson.portForward;
import static io.auditwatch.testing.EventJson.secretGet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.alert.Alert;
import io.auditwatch.engine.Engine;
import io.auditwatch.event.AuditEvent;
import io.auditwatch.identity.Identity;
import io.auditwatch.state.ExpiringState;
import io.auditwatch.state.TreeMapStore;
import io.auditwatch.testing.CoreRules;
import io.auditwatch.testing.EventJson;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The built-in detections, judged through the engine as the hosts run them. */
class CoreRulesTest {
    private final Engine engine = new Engine(CoreRules.detections(), Duration.ofHours(1));
    private final ExpiringState state = new ExpiringState(new TreeMapStore());

    private List<Alert> alerts(EventJson event) {
        AuditEvent e = event.parse();
        state.advanceTo(e.eventTimeMillis());
        return engine.process(e, state);
    }

    private List<String> fired(EventJson event) {
        return alerts(event).stream().map(a -> a.rule().id()).toList();
    }

    @Nested
    class PodExecDetection {
        @ParameterizedTest
        @ValueSource(strings = {"get", "create"})
        void shouldFireForAnAllowedExecWithEitherVerb(String verb) {
            assertEquals(List.of("pod-exec"), fired(podExec().verb(verb)));
        }

        @ParameterizedTest
        @ValueSource(strings = {"get", "create"})
        void shouldFireForAnAllowedAttachWithEitherVerb(String verb) {
            List<Alert> alerts = alerts(podExec().verb(verb).objectRef("pods", "shop", "web-1", "attach"));

            assertEquals(List.of("pod-exec"), alerts.stream().map(a -> a.rule().id()).toList());
            assertEquals("attach into pod shop/web-1", alerts.get(0).summary());
        }

        @Test
        void shouldFireForAnExecAllowedByResponseCodeWhenTheDecisionAnnotationIsMissing() {
            assertEquals(List.of("pod-exec"), fired(podExec().decision(null).code(101)));
        }

        @Test
        void shouldNotFireWhenTheAuthorizerForbadeTheExec() {
            assertEquals(List.of(), fired(podExec().forbidden()));
        }

        @Test
        void shouldNotFireWhenTheDecisionAnnotationSaysForbidWhateverTheCode() {
            assertEquals(List.of(), fired(podExec().decision("forbid").code(101)));
        }

        @Test
        void shouldNotFireForA403WithoutDecisionAnnotation() {
            assertEquals(List.of(), fired(podExec().decision(null).code(403)));
        }

        @Test
        void shouldNotFireForA401() {
            assertEquals(List.of(), fired(podExec().decision(null).code(401)));
        }

        @Test
        void shouldNotFireBeforeTheRequestWasAuthorized() {
            assertEquals(List.of(), fired(podExec().stage("RequestReceived").decision(null)
                    .remove("responseStatus")));
        }

        @Test
        void shouldNotFireForOtherPodSubresources() {
            assertEquals(List.of(), fired(podExec().objectRef("pods", "shop", "web-1", "log")));
            assertEquals(List.of(), fired(podExec().objectRef("pods", "shop", "web-1", null)));
            assertEquals(List.of(), fired(podExec().objectRef("deployments", "shop", "web", "exec")));
        }
    }

    @Nested
    class PodPortForwardDetection {
        @Test
        void shouldFireForAnAllowedPortForward() {
            List<Alert> alerts = alerts(portForward());

            assertEquals(List.of("pod-portforward"), alerts.stream().map(a -> a.rule().id()).toList());
            assertEquals("port-forward to pod shop/db-0", alerts.get(0).summary());
        }

        @Test
        void shouldFireOncePerRequestAcrossResponseStartedAndResponseComplete() {
            List<String> started = fired(portForward().auditID("pf-9").stage("ResponseStarted").code(101));
            List<String> complete = fired(portForward().auditID("pf-9").stage("ResponseComplete").code(200)
                    .stageAt("2024-05-01T10:30:00Z"));

            assertEquals(List.of("pod-portforward"), started);
            assertEquals(List.of(), complete);
        }

        @Test
        void shouldNotFireForAForbiddenPortForward() {
            assertEquals(List.of(), fired(portForward().forbidden()));
        }
    }

    @Nested
    class SecretReadDetection {
        @Test
        void shouldFireWhenAPersonGetsASecret() {
            List<Alert> alerts = alerts(secretGet());

            assertEquals(List.of("secret-read"), alerts.stream().map(a -> a.rule().id()).toList());
            assertEquals("get secret db-password in shop", alerts.get(0).summary());
            assertTrue(alerts.get(0).explanation().contains("shop/db-password"), alerts.get(0).explanation());
        }

        @Test
        void shouldFireWhenAPersonListsSecretsInAllNamespaces() {
            List<Alert> alerts = alerts(event().verb("list").objectRef("secrets", null, null, null));

            assertEquals(List.of("secret-read"), alerts.stream().map(a -> a.rule().id()).toList());
            assertEquals("list secret (all) in all namespaces", alerts.get(0).summary());
        }

        @Test
        void shouldNotFireForAServiceAccount() {
            assertEquals(List.of(), fired(secretGet().user("system:serviceaccount:shop:web",
                    "system:serviceaccounts", "system:serviceaccounts:shop", "system:authenticated")));
        }

        @Test
        void shouldNotFireForANodeBoundServiceAccount() {
            assertEquals(List.of(), fired(secretGet().set("user", Map.of(
                    "username", "system:serviceaccount:kube-system:fluent-bit",
                    "extra", Map.of(Identity.CLAIM_NODE_NAME, List.of("ip-10-0-1-17.ec2.internal"))))));
        }

        @Test
        void shouldNotFireForANode() {
            assertEquals(List.of(), fired(secretGet().user("system:node:ip-10-0-1-17.ec2.internal")));
        }

        @ParameterizedTest
        @ValueSource(strings = {"system:kube-controller-manager", "eks:addon-manager", "system:apiserver"})
        void shouldNotFireForControlPlaneComponents(String username) {
            assertEquals(List.of(), fired(secretGet().user(username)));
        }

        @Test
        void shouldLeaveAnonymousSecretReadsToTheAnonymousRule() {
            assertEquals(List.of("anonymous-allowed"), fired(secretGet().user("system:anonymous")),
                    "anonymous access has its own rule");
        }

        @Test
        void shouldNotFireForAForbiddenRead() {
            assertEquals(List.of(), fired(secretGet().forbidden()));
        }

        @Test
        void shouldNotFireForWrites() {
            assertEquals(List.of(), fired(secretGet().verb("create")));
            assertEquals(List.of(), fired(secretGet().verb("delete")));
        }
    }

    @Nested
    class AnonymousAllowedDetection {
        @Test
        void shouldFireForAnAllowedAnonymousListOfPods() {
            List<Alert> alerts = alerts(event().user("system:anonymous", "system:unauthenticated").verb("list")
                    .objectRef("pods", null, null, null)
                    .set("annotations", Map.of("authorization.k8s.io/decision", "allow",
                            "authorization.k8s.io/reason",
                            "RBAC: allowed by ClusterRoleBinding \"oops\" of ClusterRole \"view\" to User \"system:anonymous\"")));

            assertEquals(List.of("anonymous-allowed"), alerts.stream().map(a -> a.rule().id()).toList());
            assertEquals("anonymous list /api/v1/pods allowed", alerts.get(0).summary());
            assertTrue(alerts.get(0).explanation().contains("ClusterRoleBinding \"oops\""), alerts.get(0).explanation());
            assertEquals("system:anonymous", alerts.get(0).identity().username());
        }

        @ParameterizedTest
        @ValueSource(strings = {"/healthz", "/readyz?verbose", "/livez/etcd", "/version", "/readyz",
                "/openid/v1/jwks", "/.well-known/openid-configuration", "/api", "/apis", "/openapi/v2"})
        void shouldNotFireForHealthAndDiscoveryEndpoints(String uri) {
            assertEquals(List.of(), fired(anonymous(uri)));
        }

        @ParameterizedTest
        @ValueSource(strings = {"/metrics", "/healthzz", "/versions", "/logs/kube-apiserver.log", "/debug/pprof/"})
        void shouldFireForOtherNonResourcePaths(String uri) {
            assertEquals(List.of("anonymous-allowed"), fired(anonymous(uri)));
        }

        @Test
        void shouldNotFireWhenTheAnonymousRequestWasForbidden() {
            assertEquals(List.of(), fired(anonymous("/api/v1/pods").verb("list").objectRef("pods", null, null, null)
                    .forbidden()));
            assertEquals(List.of(), fired(anonymous("/metrics").forbidden()));
        }

        @Test
        void shouldNotFireForAnAuthenticatedCallerOfTheSamePath() {
            assertEquals(List.of(), fired(anonymous("/metrics").user("alice@example.com")));
        }
    }
}
