package io.auditwatch.nodegraph;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a pod spec makes its node entitled to, as the Node Authorizer's graph has it
 * (kubernetes plugin/pkg/auth/authorizer/node/graph_populator.go): secrets and configmaps from volumes
 * (also projected and CSI node-publish secrets), env and envFrom, imagePullSecrets; persistent volume claims
 * (also generic ephemeral volumes, whose claim is named {@code <pod>-<volume>}); resource claims; and the
 * service account (for token requests). Init and ephemeral containers count like containers.
 */
public final class PodRefs {
    public static final String SECRET = "secret";
    public static final String CONFIGMAP = "configmap";
    public static final String PVC = "pvc";
    public static final String SERVICE_ACCOUNT = "serviceaccount";
    public static final String RESOURCE_CLAIM = "resourceclaim";
    /**
     * Not an entitlement: the DaemonSet that controls the pod, kept with its references so that the graph knows
     * which nodes run a pod of that DaemonSet it has seen.
     */
    public static final String DAEMON_SET = "daemonset";

    private PodRefs() {
    }

    /** Object references as {@code kind/name} (all in the pod's namespace). */
    public static Set<String> of(JsonNode pod) {
        Set<String> refs = new TreeSet<>();
        JsonNode spec = pod.path("spec");
        String podName = pod.path("metadata").path("name").asText("");
        String account = spec.path("serviceAccountName").asText("");
        add(refs, SERVICE_ACCOUNT, account.isEmpty() ? "default" : account);
        for (JsonNode v : spec.path("volumes")) {
            add(refs, SECRET, v.path("secret").path("secretName").asText(null));
            add(refs, CONFIGMAP, v.path("configMap").path("name").asText(null));
            add(refs, PVC, v.path("persistentVolumeClaim").path("claimName").asText(null));
            if (v.has("ephemeral")) {
                add(refs, PVC, podName + "-" + v.path("name").asText());
            }
            add(refs, SECRET, v.path("csi").path("nodePublishSecretRef").path("name").asText(null));
            for (String plugin : new String[] {"azureFile", "cephfs", "cinder", "flexVolume", "iscsi", "rbd", "scaleIO", "storageos"}) {
                add(refs, SECRET, v.path(plugin).path("secretRef").path("name").asText(null));
                add(refs, SECRET, v.path(plugin).path("secretName").asText(null));
            }
            for (JsonNode source : v.path("projected").path("sources")) {
                add(refs, SECRET, source.path("secret").path("name").asText(null));
                add(refs, CONFIGMAP, source.path("configMap").path("name").asText(null));
            }
        }
        for (String list : new String[] {"initContainers", "containers", "ephemeralContainers"}) {
            for (JsonNode c : spec.path(list)) {
                for (JsonNode env : c.path("env")) {
                    add(refs, SECRET, env.path("valueFrom").path("secretKeyRef").path("name").asText(null));
                    add(refs, CONFIGMAP, env.path("valueFrom").path("configMapKeyRef").path("name").asText(null));
                }
                for (JsonNode from : c.path("envFrom")) {
                    add(refs, SECRET, from.path("secretRef").path("name").asText(null));
                    add(refs, CONFIGMAP, from.path("configMapRef").path("name").asText(null));
                }
            }
        }
        for (JsonNode pull : spec.path("imagePullSecrets")) {
            add(refs, SECRET, pull.path("name").asText(null));
        }
        for (JsonNode claim : spec.path("resourceClaims")) {
            add(refs, RESOURCE_CLAIM, claim.path("resourceClaimName").asText(null));
        }
        for (JsonNode status : pod.path("status").path("resourceClaimStatuses")) {
            add(refs, RESOURCE_CLAIM, status.path("resourceClaimName").asText(null));
        }
        return refs;
    }

    /** The name of the DaemonSet that controls the pod (its controller owner reference), or null. */
    public static String daemonSet(JsonNode pod) {
        for (JsonNode owner : pod.path("metadata").path("ownerReferences")) {
            if ("DaemonSet".equals(owner.path("kind").asText()) && owner.path("controller").asBoolean(true)) {
                return owner.path("name").asText(null);
            }
        }
        return null;
    }

    private static void add(Set<String> refs, String kind, String name) {
        if (name != null && !name.isEmpty()) {
            refs.add(kind + "/" + name);
        }
    }
}
