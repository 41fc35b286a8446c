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
 * container must be hardened, and auditwatch's own default pack, fed each object as an admin's create through
 * the API (and each workload's pods as their controller creates them), raises no alert at low or above that
 * the objects' content causes.
 *
 * <p>Some rules flag the act whatever the object holds (a service account, a binding, a CronJob or a namespace
 * created; RBAC then a workload changed by one person): they fire on any installation of anything. Those are
 * told apart by replaying the same requests with each object cut down to its kind and name: an alert that the
 * cut-down objects raise too is the act's, and is listed in deploy/README.md; every other alert fails the test.
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
    void shouldRenderEveryOverlayIntoValidHardenedObjectsThatOurOwnRulesDoNotFlag() throws Exception {
        List<Path> overlays;
        try (Stream<Path> dirs = Files.list(OVERLAYS)) {
            overlays = dirs.filter(Files::isDirectory).sorted().toList();
        }
        assertTrue(overlays.size() >= 2, "overlays: " + overlays);
        for (Path overlay : overlays) {
            List<JsonNode> objects = render(overlay);
            List<HasMetadata> typed = new ArrayList<>();
            for (JsonNode object : objects) {
                typed.add(typed(overlay, object));
            }
            assertHardened(overlay, typed);
            List<String> flagged = flagged(replayAsCreated(objects, typed, false));
            List<String> ofTheAct = flagged(replayAsCreated(objects, typed, true));
            List<String> ofTheContent = new ArrayList<>(flagged);
            ofTheAct.forEach(ofTheContent::remove);
            assertEquals(List.of(), ofTheContent, overlay + ": our own rules flag our manifests' content");
            assertEquals(ACT_ALERTS, flagged.stream().map(f -> f.substring(0, f.indexOf(' '))).distinct().sorted()
                    .toList(), overlay + ": the alerts any installation raises (deploy/README.md lists them)");
        }
    }

    /** What installing anything raises: the rules that look at the act, not at the object (deploy/README.md). */
    private static final List<String> ACT_ALERTS = List.of("cronjob-modified", "disallowed-namespace",
            "rbac-change-then-workload-change", "rolebinding-changed", "serviceaccount-created");

    /** Alerts at low and above, as rule id, level and target. */
    private static List<String> flagged(List<Alert> alerts) {
        return alerts.stream().filter(a -> a.rule().level().compareTo(Level.LOW) >= 0)
                .map(a -> a.rule().id() + " (" + a.rule().level().json() + ") "
                        + (a.target() == null ? "" : a.target().resource() + " " + a.target().namespace() + "/"
                        + a.target().name()) + ": " + a.summary())
                .sorted().toList();
    }

    /** The object cut down to what names it: whatever a rule finds in it then is not in its content. */
    private static JsonNode skeleton(JsonNode object) {
        ObjectNode cut = YAML.createObjectNode();
        cut.set("apiVersion", object.path("apiVersion"));
        cut.set("kind", object.path("kind"));
        ObjectNode meta = cut.putObject("metadata");
        meta.set("name", object.path("metadata").path("name"));
        if (object.path("metadata").has("namespace")) {
            meta.set("namespace", object.path("metadata").path("namespace"));
        }
        return cut;
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

    private static final String KUBECTL = "kubectl/v1.32.4 (linux/amd64) kubernetes/5b3a9c2";

    /**
     * Each object as a kubectl apply by a cluster admin would log it, then each workload's pod as if the admin
     * created it too (stricter than its controller, which the pod rules leave alone: so every pod rule reads our
     * pod specs), through the default pack with replay (the detector's engine, no broker).
     */
    private static List<Alert> replayAsCreated(List<JsonNode> objects, List<HasMetadata> typed, boolean skeletons) {
        DetectorConfig detector = DetectorConfig.defaults("unused", Path.of("unused"));
        Replay replay = new Replay(detector.reader(), detector.analyses());
        List<Alert> alerts = new ArrayList<>();
        List<String> rejected = new ArrayList<>();
        long time = Instant.parse("2026-12-01T10:00:00Z").toEpochMilli();
        ObjectNode admin = YAML.createObjectNode().put("username", "kubernetes-admin");
        admin.putArray("groups").add("kubeadm:cluster-admins").add("system:authenticated");
        for (int i = 0; i < objects.size(); i++) {
            JsonNode object = objects.get(i);
            String plural = typed.get(i) instanceof GenericKubernetesResource
                    ? object.path("kind").asText().toLowerCase(java.util.Locale.ROOT) + "s"
                    : HasMetadata.getPlural(typed.get(i).getClass());
            byte[] event = event(skeletons ? skeleton(object) : object, plural, admin, KUBECTL, time += 50);
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
            byte[] event = event(skeletons ? skeleton(pod) : pod, "pods", admin, KUBECTL, time += 50);
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

    private static byte[] event(JsonNode object, String plural, JsonNode user, String agent, long millis) {
        String apiVersion = object.path("apiVersion").asText();
        String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
        String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
        String namespace = object.path("metadata").path("namespace").asText(null);
        String name = object.path("metadata").path("name").asText();
        String uri = (group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version)
                + (namespace == null ? "" : "/namespaces/" + namespace) + "/" + plural
                + "?fieldManager=kubectl-client-side-apply";
        String at = Instant.ofEpochMilli(millis).toString();
        ObjectNode e = YAML.createObjectNode();
        e.put("kind", "Event").put("apiVersion", "audit.k8s.io/v1").put("level", "RequestResponse")
                .put("auditID", java.util.UUID.nameUUIDFromBytes((at + name + plural)
                        .getBytes(StandardCharsets.UTF_8)).toString())
                .put("stage", "ResponseComplete").put("requestURI", uri).put("verb", "create");
        e.set("user", user);
        e.putArray("sourceIPs").add("10.0.0.5");
        e.put("userAgent", agent);
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
                .put("authorization.k8s.io/reason", "RBAC: allowed by ClusterRoleBinding \"kubeadm:cluster-admins\""
                        + " of ClusterRole \"cluster-admin\" to Group \"kubeadm:cluster-admins\"");
        return e.toString().getBytes(StandardCharsets.UTF_8);
    }
}
