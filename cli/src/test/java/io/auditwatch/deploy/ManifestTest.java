package io.auditwatch.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.auditwatch.alert.Alert;
import io.auditwatch.alert.Level;
import io.auditwatch.detector.DetectorConfig;
import io.auditwatch.replay.Replay;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Every overlay in deploy/overlays, rendered by {@code kubectl kustomize}: each object of a built-in kind must be
 * a valid object of its Kubernetes API type (fabric8's model: an unknown field or a wrong type fails), every
 * container must be hardened, and auditwatch's own default pack, fed each object as Argo CD's sync creates it
 * through the API (and each workload's pods as a person creating them would, which the pod rules judge more
 * strictly than a controller), raises no alert at low or above.
 *
 * <p>The same objects applied by a person with kubectl still raise the rules that watch the act (a CronJob, a
 * service account, a binding, a namespace created by a person): the pack is quiet on a GitOps install because it
 * knows the applier, not because it stopped looking.
 */
class ManifestTest {
    private static final Path OVERLAYS = Path.of("../deploy/overlays");
    private static final YAMLMapper YAML = new YAMLMapper(new YAMLFactory());
    /** No field the type does not have (and see {@link #typed} for the rest). */
    private static final KubernetesSerialization STRICT = new KubernetesSerialization(
            tools.jackson.databind.json.JsonMapper.builder()
                    .disable(tools.jackson.databind.MapperFeature.ALLOW_COERCION_OF_SCALARS)
                    .enable(tools.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .build(), true);

    @Test
    void shouldRenderEveryOverlayIntoValidHardenedObjectsThatOurRulesDoNotFlagWhenArgoCdSyncsThem() throws Exception {
        for (Path overlay : overlays()) {
            List<JsonNode> objects = render(overlay);
            List<HasMetadata> typed = new ArrayList<>();
            for (JsonNode object : objects) {
                typed.add(typed(overlay, object));
            }
            assertHardened(overlay, typed);
            assertEquals(List.of(), flagged(replayAsCreated(objects, typed, ARGO_CD)),
                    overlay + ": our own rules flag our manifests synced by Argo CD");
        }
    }

    @Test
    void shouldStillFlagTheActWhenAPersonAppliesTheSameOverlayWithKubectl() throws Exception {
        for (Path overlay : overlays()) {
            List<JsonNode> objects = render(overlay);
            List<HasMetadata> typed = objects.stream().map(o -> typed(overlay, o)).toList();
            List<String> flagged = flagged(replayAsCreated(objects, typed, ADMIN));
            // A person creating a CronJob is triaged (medium); their accounts, bindings and namespace are recorded
            // (low); our RBAC grants nothing sensitive, so nothing pages.
            assertEquals(List.of("cronjob-modified (medium)", "disallowed-namespace (low)", "rolebinding-changed (low)",
                    "serviceaccount-created (low)"), flagged.stream().map(f -> f.substring(0, f.indexOf(')') + 1))
                    .distinct().sorted().toList(), overlay + ": what a person's kubectl apply raises (deploy/README.md)");
        }
    }

    private static List<Path> overlays() throws IOException {
        List<Path> overlays;
        try (Stream<Path> dirs = Files.list(OVERLAYS)) {
            overlays = dirs.filter(Files::isDirectory).sorted().toList();
        }
        assertTrue(overlays.size() >= 2, "overlays: " + overlays);
        return overlays;
    }

    /** Alerts at low and above, as rule id, level and target. */
    private static List<String> flagged(List<Alert> alerts) {
        return alerts.stream().filter(a -> a.rule().level().compareTo(Level.LOW) >= 0)
                .map(a -> a.rule().id() + " (" + a.rule().level().json() + ") "
                        + (a.target() == null ? "" : a.target().resource() + " " + a.target().namespace() + "/"
                        + a.target().name()) + ": " + a.summary())
                .sorted().toList();
    }

    private static List<JsonNode> render(Path overlay) throws IOException, InterruptedException {
        Process kubectl;
        try {
            kubectl = new ProcessBuilder("kubectl", "kustomize", overlay.toString()).redirectErrorStream(false).start();
        } catch (IOException e) {
            // CI (.ci/run installs kubectl) must run this test; a developer machine without kubectl skips it.
            if ("true".equals(System.getenv("CI"))) {
                fail("kubectl is not installed (.ci/run installs it): " + e.getMessage());
            }
            Assumptions.abort("kubectl is not installed: the manifest test is skipped (" + e.getMessage() + ")");
            throw e;
        }
        byte[] out = kubectl.getInputStream().readAllBytes();
        String err = new String(kubectl.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(kubectl.waitFor(60, TimeUnit.SECONDS), "kubectl kustomize " + overlay + " did not finish");
        assertEquals(0, kubectl.exitValue(), "kubectl kustomize " + overlay + ": " + err);
        List<JsonNode> objects = new ArrayList<>();
        try (var parser = YAML.getFactory().createParser(out)) {
            YAML.readValues(parser, JsonNode.class).forEachRemaining(o -> {
                if (o != null && !o.isEmpty()) {
                    objects.add(o);
                }
            });
        }
        assertFalse(objects.isEmpty(), overlay + " renders nothing");
        return objects;
    }

    /** The object as its API type; a kind fabric8 does not know (a CRD's) only as a generic resource. */
    private static HasMetadata typed(Path overlay, JsonNode object) {
        String where = overlay.getFileName() + ": " + object.path("kind").asText() + "/"
                + object.path("metadata").path("name").asText();
        HasMetadata resource;
        try {
            resource = STRICT.unmarshal(object.toString(), HasMetadata.class);
        } catch (RuntimeException e) {
            throw new AssertionError(where + " is not a valid object of its type: " + e.getMessage(), e);
        }
        if (resource instanceof GenericKubernetesResource generic) {
            String group = object.path("apiVersion").asText();
            assertTrue(group.contains(".") && !group.endsWith("k8s.io"), where + ": a built-in kind fabric8 does not know");
            assertTrue(generic.getAdditionalProperties().containsKey("spec"), where + " has no spec");
        } else {
            List<String> unknown = new ArrayList<>();
            unknownFields(resource, "", unknown, new IdentityHashMap<>());
            assertEquals(List.of(), unknown, where + ": fields its type does not have");
            // A value of the wrong type that Jackson converted ("2" for a number) comes back different.
            JsonNode back;
            try {
                back = YAML.readTree(STRICT.asJson(resource));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            List<String> changed = new ArrayList<>();
            differences(object, back, "", changed);
            assertEquals(List.of(), changed, where + ": values not of their field's type");
        }
        assertFalse(object.path("metadata").path("name").asText().isEmpty(), where + " has no name");
        return resource;
    }

    /**
     * fabric8's types keep unknown fields in {@code additionalProperties} instead of failing: any found there is
     * a field the Kubernetes API would reject (or, worse, silently drop).
     */
    private static void unknownFields(Object value, String path, List<String> unknown, Map<Object, Object> seen) {
        if (value == null || seen.put(value, value) != null) {
            return;
        }
        if (value instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                unknownFields(item, path + "[" + i++ + "]", unknown, seen);
            }
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> unknownFields(v, path + "." + k, unknown, seen));
            return;
        }
        if (!value.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method getter : value.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || !getter.getName().startsWith("get")
                    || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            Object got;
            try {
                got = getter.invoke(value);
            } catch (ReflectiveOperationException e) {
                continue;
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                if (got instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    unknown.add(path + ": " + extra.keySet());
                }
            } else {
                unknownFields(got, path + "." + getter.getName().substring(3), unknown, seen);
            }
        }
    }

    private static void differences(JsonNode given, JsonNode typed, String path, List<String> out) {
        if (given.isObject()) {
            given.properties().forEach(e -> differences(e.getValue(), typed.path(e.getKey()), path + "." + e.getKey(), out));
        } else if (given.isArray()) {
            for (int i = 0; i < given.size(); i++) {
                differences(given.get(i), typed.path(i), path + "[" + i + "]", out);
            }
        } else if (!given.equals(typed) && !(given.isNumber() && typed.isNumber()
                && given.decimalValue().compareTo(typed.decimalValue()) == 0)) {
            out.add(path + ": " + given + " read as " + typed);
        }
    }

    private static void assertHardened(Path overlay, List<HasMetadata> objects) {
        int workloads = 0;
        for (HasMetadata object : objects) {
            PodTemplateSpec template = object instanceof Deployment d ? d.getSpec().getTemplate()
                    : object instanceof StatefulSet s ? s.getSpec().getTemplate()
                    : object instanceof CronJob c ? c.getSpec().getJobTemplate().getSpec().getTemplate() : null;
            if (template == null) {
                continue;
            }
            workloads++;
            String where = overlay.getFileName() + ": " + object.getKind() + "/" + object.getMetadata().getName();
            PodSpec pod = template.getSpec();
            assertEquals(Boolean.FALSE, pod.getEnableServiceLinks(), where + ": enableServiceLinks");
            assertEquals(Boolean.TRUE, pod.getSecurityContext().getRunAsNonRoot(), where + ": runAsNonRoot");
            assertEquals("RuntimeDefault", pod.getSecurityContext().getSeccompProfile().getType(), where + ": seccomp");
            boolean token = Boolean.TRUE.equals(pod.getAutomountServiceAccountToken());
            assertEquals(object instanceof CronJob, token, where + ": only the snapshot mounts a service-account token");
            for (Container c : pod.getContainers()) {
                String at = where + " container " + c.getName();
                assertEquals(Boolean.TRUE, c.getSecurityContext().getReadOnlyRootFilesystem(), at + ": read-only root");
                assertEquals(Boolean.FALSE, c.getSecurityContext().getAllowPrivilegeEscalation(), at + ": escalation");
                assertEquals(List.of("ALL"), c.getSecurityContext().getCapabilities().getDrop(), at + ": capabilities");
                assertFalse(c.getResources().getRequests().isEmpty(), at + ": requests");
                assertFalse(c.getResources().getLimits().isEmpty(), at + ": limits");
                if (!(object instanceof CronJob)) {
                    assertTrue(c.getLivenessProbe() != null && c.getReadinessProbe() != null, at + ": probes");
                }
            }
        }
        assertEquals(4, workloads, overlay + ": ingest, detector, notifier and the snapshot");
    }

    /** Who sends the creates, as the API server logs it. */
    private record Applier(JsonNode user, String agent, String fieldManager, String sourceIp, String reason) {
    }

    /** A cluster admin of a kubeadm cluster running {@code kubectl apply -k}. */
    private static final Applier ADMIN = new Applier(user("kubernetes-admin", "kubeadm:cluster-admins",
            "system:authenticated"), "kubectl/v1.32.4 (linux/amd64) kubernetes/5b3a9c2", "kubectl-client-side-apply",
            "10.0.0.5", "RBAC: allowed by ClusterRoleBinding \"kubeadm:cluster-admins\" of ClusterRole"
            + " \"cluster-admin\" to Group \"kubeadm:cluster-admins\"");

    /** Argo CD's application controller syncing an Application whose source is the overlay (a bound pod token). */
    private static final Applier ARGO_CD;

    static {
        ObjectNode argo = user("system:serviceaccount:argocd:argocd-application-controller", "system:serviceaccounts",
                "system:serviceaccounts:argocd", "system:authenticated");
        argo.put("uid", "6f0e5c1a-2b8e-4d1c-9a57-3c1f0c2d4e11");
        ObjectNode extra = argo.putObject("extra");
        extra.putArray("authentication.kubernetes.io/pod-name").add("argocd-application-controller-0");
        extra.putArray("authentication.kubernetes.io/node-name").add("worker-2");
        extra.putArray("authentication.kubernetes.io/credential-id").add("JTI=1f7c2d9e-5a4b-4c3d-8e2f-0a1b2c3d4e5f");
        ARGO_CD = new Applier(argo, "argocd-application-controller/v2.13.1+af54ef8 (linux/amd64)", "argocd-controller",
                "10.244.2.17", "RBAC: allowed by ClusterRoleBinding \"argocd-application-controller\" of ClusterRole"
                + " \"argocd-application-controller\" to ServiceAccount \"argocd-application-controller/argocd\"");
    }

    private static ObjectNode user(String name, String... groups) {
        ObjectNode user = YAML.createObjectNode().put("username", name);
        List.of(groups).forEach(user.putArray("groups")::add);
        return user;
    }

    /**
     * Each object as {@code applier}'s create would log it, then each workload's pod as if a cluster admin created
     * it (stricter than its controller, which the pod rules leave alone: so every pod rule reads our pod specs),
     * through the default pack with replay (the detector's engine, no broker).
     */
    private static List<Alert> replayAsCreated(List<JsonNode> objects, List<HasMetadata> typed, Applier applier) {
        DetectorConfig detector = DetectorConfig.defaults("unused", Path.of("unused"));
        Replay replay = new Replay(detector.reader(), detector.analyses());
        List<Alert> alerts = new ArrayList<>();
        List<String> rejected = new ArrayList<>();
        long time = Instant.parse("2026-12-01T10:00:00Z").toEpochMilli();
        for (int i = 0; i < objects.size(); i++) {
            JsonNode object = objects.get(i);
            String plural = typed.get(i) instanceof GenericKubernetesResource
                    ? object.path("kind").asText().toLowerCase(java.util.Locale.ROOT) + "s"
                    : HasMetadata.getPlural(typed.get(i).getClass());
            byte[] event = event(object, plural, applier, time += 50);
            replay.accept(event, time, alerts::add, r -> rejected.add(r.toString()));
        }
        for (int i = 0; i < objects.size(); i++) {
            JsonNode template = object(typed.get(i));
            if (template == null) {
                continue;
            }
            ObjectNode pod = YAML.createObjectNode().put("apiVersion", "v1").put("kind", "Pod");
            ObjectNode meta = pod.putObject("metadata");
            meta.put("name", objects.get(i).path("metadata").path("name").asText() + "-0");
            meta.put("namespace", objects.get(i).path("metadata").path("namespace").asText());
            meta.set("labels", template.path("metadata").path("labels"));
            pod.set("spec", template.path("spec"));
            byte[] event = event(pod, "pods", ADMIN, time += 50);
            replay.accept(event, time, alerts::add, r -> rejected.add(r.toString()));
        }
        replay.finish(alerts::add);
        assertEquals(List.of(), rejected, "every event made is a valid audit event");
        return alerts;
    }

    private static JsonNode object(HasMetadata workload) {
        PodTemplateSpec template = workload instanceof Deployment d ? d.getSpec().getTemplate()
                : workload instanceof StatefulSet s ? s.getSpec().getTemplate()
                : workload instanceof CronJob c ? c.getSpec().getJobTemplate().getSpec().getTemplate() : null;
        return template == null ? null : YAML.valueToTree(template);
    }

    private static byte[] event(JsonNode object, String plural, Applier applier, long millis) {
        String apiVersion = object.path("apiVersion").asText();
        String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
        String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
        String namespace = object.path("metadata").path("namespace").asText(null);
        String name = object.path("metadata").path("name").asText();
        String uri = (group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version)
                + (namespace == null ? "" : "/namespaces/" + namespace) + "/" + plural
                + "?fieldManager=" + applier.fieldManager();
        String at = Instant.ofEpochMilli(millis).toString();
        ObjectNode e = YAML.createObjectNode();
        e.put("kind", "Event").put("apiVersion", "audit.k8s.io/v1").put("level", "RequestResponse")
                .put("auditID", java.util.UUID.nameUUIDFromBytes((at + name + plural)
                        .getBytes(StandardCharsets.UTF_8)).toString())
                .put("stage", "ResponseComplete").put("requestURI", uri).put("verb", "create");
        e.set("user", applier.user());
        e.putArray("sourceIPs").add(applier.sourceIp());
        e.put("userAgent", applier.agent());
        ObjectNode ref = e.putObject("objectRef").put("resource", plural).put("name", name).put("apiVersion", version);
        if (namespace != null) {
            ref.put("namespace", namespace);
        }
        if (!group.isEmpty()) {
            ref.put("apiGroup", group);
        }
        e.putObject("responseStatus").put("code", 201);
        e.set("requestObject", object);
        e.set("responseObject", object);
        e.put("requestReceivedTimestamp", at).put("stageTimestamp", at);
        e.putObject("annotations").put("authorization.k8s.io/decision", "allow")
                .put("authorization.k8s.io/reason", applier.reason());
        return e.toString().getBytes(StandardCharsets.UTF_8);
    }
}
