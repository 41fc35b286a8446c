package io.auditwatch.objects;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditwatch.event.AuditEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a write request leaves in the cluster, read from its audit event: the object, the pod spec that will run
 * (a pod's, or the template of a workload), and the workload that owns it. Rules judge pods and every
 * controller's template the same way through these, whichever path created the pod.
 */
public final class WrittenObjects {
    /** Where each resource keeps the pod spec it runs. */
    private static final Map<String, String[]> POD_SPEC_PATHS = Map.of(
            "pods", new String[] {"spec"},
            "deployments", new String[] {"spec", "template", "spec"},
            "daemonsets", new String[] {"spec", "template", "spec"},
            "statefulsets", new String[] {"spec", "template", "spec"},
            "replicasets", new String[] {"spec", "template", "spec"},
            "replicationcontrollers", new String[] {"spec", "template", "spec"},
            "jobs", new String[] {"spec", "template", "spec"},
            "cronjobs", new String[] {"spec", "jobTemplate", "spec", "template", "spec"});
    private static final Map<String, String> RESOURCE_OF_KIND = Map.of(
            "Deployment", "deployments", "DaemonSet", "daemonsets", "StatefulSet", "statefulsets",
            "ReplicaSet", "replicasets", "ReplicationController", "replicationcontrollers", "Job", "jobs",
            "CronJob", "cronjobs", "Pod", "pods");
    private static final List<String> CONTAINER_LISTS = List.of("containers", "initContainers", "ephemeralContainers");
    /** The CronJob controller names a run's Job {@code <cronjob>-<scheduled time in minutes since the epoch>}. */
    private static final Pattern CRONJOB_RUN = Pattern.compile("(.+)-(\\d{8,10})");
    /** Minutes since the epoch of 2013-09 and 2160: a date-like suffix (-20240101) is not a scheduled time. */
    private static final long FIRST_RUN_MINUTE = 23_000_000L;
    private static final long LAST_RUN_MINUTE = 100_000_000L;

    private WrittenObjects() {
    }

    /**
     * The object a write leaves: for a patch, the object the API server returned when it is logged (the request
     * holds only the change), else the patch itself (a merge patch has the object's shape); for a create or
     * update, the object sent, else the one returned. Null when the event carries neither (Metadata level).
     */
    public static JsonNode object(AuditEvent event) {
        JsonNode request = asObject(event.requestObject);
        JsonNode response = asObject(event.responseObject);
        if ("patch".equalsIgnoreCase(event.verb)) {
            return response != null ? response : request;
        }
        return request != null ? request : response;
    }

    private static JsonNode asObject(JsonNode node) {
        // A refused or failed request returns a Status, not the object.
        return node != null && node.isObject() && !"Status".equals(node.path("kind").asText()) ? node : null;
    }

    /**
     * The pod spec this write will run: a pod's {@code spec} (its create, or an ephemeral container added), a
     * workload's {@code spec.template.spec}, a CronJob's {@code spec.jobTemplate.spec.template.spec}. Null for
     * other resources, other subresources (status) and events without the object.
     */
    public static JsonNode podSpec(AuditEvent event) {
        String[] path = podSpecPath(event);
        JsonNode node = path == null ? null : object(event);
        if (node == null) {
            return null;
        }
        for (String part : path) {
            node = node.get(part);
            if (node == null || !node.isObject()) {
                return null;
            }
        }
        return node;
    }

    private static String[] podSpecPath(AuditEvent event) {
        String resource = event.resource();
        if (resource == null) {
            return null;
        }
        resource = resource.toLowerCase(Locale.ROOT);
        String subresource = event.subresource();
        boolean whole = subresource == null || subresource.isEmpty()
                || resource.equals("pods") && subresource.equals("ephemeralcontainers");
        return whole ? POD_SPEC_PATHS.get(resource) : null;
    }

    /** The image repositories (no tag, no digest) of every container, init and ephemeral container of the pod spec. */
    public static List<String> imageRepositories(AuditEvent event) {
        List<String> repositories = new ArrayList<>();
        for (JsonNode container : containers(podSpec(event))) {
            JsonNode image = container.get("image");
            if (image != null && image.isTextual()) {
                repositories.add(repository(image.asText()));
            }
        }
        return repositories;
    }

    /** {@code registry/path} of an image reference: {@code quay.io/calico/node:v3.27@sha256:…} → {@code quay.io/calico/node}. */
    static String repository(String image) {
        int at = image.indexOf('@');
        String name = at < 0 ? image : image.substring(0, at);
        int colon = name.lastIndexOf(':');
        return colon > name.lastIndexOf('/') ? name.substring(0, colon) : name;
    }

    /** Each container's command line: its {@code command} and {@code args}, words joined by spaces. */
    public static List<String> commandLines(AuditEvent event) {
        List<String> lines = new ArrayList<>();
        for (JsonNode container : containers(podSpec(event))) {
            StringBuilder line = new StringBuilder();
            for (String part : List.of("command", "args")) {
                for (JsonNode word : container.path(part)) {
                    if (word.isValueNode()) {
                        line.append(line.length() == 0 ? "" : " ").append(word.asText());
                    }
                }
            }
            if (line.length() > 0) {
                lines.add(line.toString());
            }
        }
        return lines;
    }

    private static List<JsonNode> containers(JsonNode spec) {
        List<JsonNode> containers = new ArrayList<>();
        if (spec != null) {
            for (String list : CONTAINER_LISTS) {
                spec.path(list).forEach(c -> {
                    if (c.isObject()) {
                        containers.add(c);
                    }
                });
            }
        }
        return containers;
    }

    /**
     * The controller that owns the written object ({@code Kind/name} of its controller owner reference), or null
     * when no controller does.
     */
    public static String owner(AuditEvent event) {
        JsonNode owner = controllerOwner(metadata(event));
        return owner == null ? null : owner.path("kind").asText() + "/" + owner.path("name").asText();
    }

    /**
     * The workload whose pod spec this write carries, or null when it carries none. A pod made by a controller
     * names the workload above it: a ReplicaSet's pod names the Deployment (the ReplicaSet is
     * {@code <deployment>-<pod-template-hash>}), a Job's pod the CronJob that scheduled it (the Job is
     * {@code <cronjob>-<minutes since the epoch>}), so a Deployment and the pods its controllers make are one
     * workload.
     */
    public static Workload workload(AuditEvent event) {
        if (podSpecPath(event) == null) {
            return null;
        }
        String resource = event.resource().toLowerCase(Locale.ROOT);
        JsonNode metadata = metadata(event);
        String namespace = event.namespace() != null ? event.namespace() : text(metadata.get("namespace"));
        JsonNode owner = controllerOwner(metadata);
        if (owner != null) {
            String kind = owner.path("kind").asText();
            String name = owner.path("name").asText();
            String templateHash = label(metadata, "pod-template-hash");
            String revisionHash = templateHash != null ? templateHash : label(metadata, "controller-revision-hash");
            if (kind.equals("ReplicaSet") && templateHash != null && name.endsWith("-" + templateHash)
                    && name.length() > templateHash.length() + 1) {
                return new Workload("deployments", namespace, name.substring(0, name.length() - templateHash.length() - 1),
                        templateHash);
            }
            if (kind.equals("Job") && resource.equals("pods")) {
                Matcher run = CRONJOB_RUN.matcher(name);
                if (run.matches() && scheduledMinute(run.group(2))) {
                    return new Workload("cronjobs", namespace, run.group(1), "");
                }
            }
            String ownerResource = RESOURCE_OF_KIND.getOrDefault(kind, kind.toLowerCase(Locale.ROOT) + "s");
            return new Workload(ownerResource, namespace, name, revisionHash != null ? revisionHash : "");
        }
        String name = event.objectName();
        if (name == null || name.isEmpty()) {
            name = text(metadata.get("name"));
        }
        if (name == null) {
            name = text(metadata.get("generateName"));
        }
        String revision = null;
        if (!resource.equals("pods")) {
            String generation = text(metadata.get("generation"));
            revision = generation != null ? generation : "create".equalsIgnoreCase(event.verb) ? "1" : null;
        }
        return new Workload(resource, namespace, name, revision);
    }

    private static boolean scheduledMinute(String digits) {
        long minute = Long.parseLong(digits);
        return minute >= FIRST_RUN_MINUTE && minute <= LAST_RUN_MINUTE;
    }

    private static JsonNode metadata(AuditEvent event) {
        JsonNode object = object(event);
        return object == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : object.path("metadata");
    }

    /** The owner reference marked {@code controller: true}: the one whose controller makes and replaces the object. */
    private static JsonNode controllerOwner(JsonNode metadata) {
        for (JsonNode reference : metadata.path("ownerReferences")) {
            if (reference.isObject() && reference.path("controller").asBoolean(false)
                    && reference.path("kind").isTextual() && reference.path("name").isTextual()) {
                return reference;
            }
        }
        return null;
    }

    private static String label(JsonNode metadata, String key) {
        return text(metadata.path("labels").get(key));
    }

    private static String text(JsonNode node) {
        return node != null && node.isValueNode() && !node.isNull() && !node.asText().isEmpty() ? node.asText() : null;
    }
}
