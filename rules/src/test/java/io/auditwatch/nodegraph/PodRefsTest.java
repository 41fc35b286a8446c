package io.auditwatch.nodegraph;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.auditwatch.testing.EventJson;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PodRefsTest {
    private static Set<String> refs(String podJson) {
        return PodRefs.of(EventJson.tree(podJson));
    }

    private static Set<String> refsOfSpec(String specJson) {
        return refs("{\"kind\":\"Pod\",\"metadata\":{\"name\":\"web-1\",\"namespace\":\"shop\"},\"spec\":" + specJson + "}");
    }

    @Test
    void shouldReferenceTheDefaultServiceAccountWhenThePodNamesNone() {
        assertEquals(Set.of("serviceaccount/default"), refsOfSpec("{\"containers\":[{\"name\":\"web\"}]}"));
    }

    @Test
    void shouldReferenceTheNamedServiceAccount() {
        assertEquals(Set.of("serviceaccount/web"), refsOfSpec("{\"serviceAccountName\":\"web\"}"));
    }

    @Test
    void shouldNameTheDaemonSetThatControlsThePodAndNoOtherOwner() {
        String owned = "{\"metadata\":{\"name\":\"fluent-bit-x2k4p\",\"ownerReferences\":[%s]}}";
        assertEquals("fluent-bit", PodRefs.daemonSet(EventJson.tree(owned.formatted(
                "{\"apiVersion\":\"apps/v1\",\"kind\":\"DaemonSet\",\"name\":\"fluent-bit\",\"controller\":true}"))));
        assertEquals(null, PodRefs.daemonSet(EventJson.tree(owned.formatted(
                "{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\",\"name\":\"web-7d9f\",\"controller\":true}"))));
        assertEquals(null, PodRefs.daemonSet(EventJson.tree(owned.formatted(
                "{\"apiVersion\":\"apps/v1\",\"kind\":\"DaemonSet\",\"name\":\"fluent-bit\",\"controller\":false}"))));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "secret volume|{\"name\":\"v\",\"secret\":{\"secretName\":\"db-credentials\"}}|secret/db-credentials",
        "configMap volume|{\"name\":\"v\",\"configMap\":{\"name\":\"shop-config\"}}|configmap/shop-config",
        "persistentVolumeClaim volume|{\"name\":\"v\",\"persistentVolumeClaim\":{\"claimName\":\"data-db-0\"}}|pvc/data-db-0",
        "generic ephemeral volume (claim <pod>-<volume>)|{\"name\":\"scratch\",\"ephemeral\":{\"volumeClaimTemplate\":{\"spec\":{}}}}|pvc/web-1-scratch",
        "CSI nodePublishSecretRef|{\"name\":\"v\",\"csi\":{\"driver\":\"secrets-store.csi.k8s.io\",\"nodePublishSecretRef\":{\"name\":\"vault-creds\"}}}|secret/vault-creds",
        "azureFile secretName|{\"name\":\"v\",\"azureFile\":{\"secretName\":\"azure-key\",\"shareName\":\"s\"}}|secret/azure-key",
        "rbd secretRef|{\"name\":\"v\",\"rbd\":{\"image\":\"i\",\"secretRef\":{\"name\":\"ceph-key\"}}}|secret/ceph-key",
    })
    void shouldReferenceWhatAVolumeNames(String kind, String volume, String expected) {
        assertEquals(Set.of("serviceaccount/default", expected), refsOfSpec("{\"volumes\":[" + volume + "]}"), kind);
    }

    @Test
    void shouldReferenceEveryProjectedSecretAndConfigMapButNotTheTokenOrDownwardApi() {
        Set<String> refs = refsOfSpec("{\"volumes\":[{\"name\":\"kube-api-access\",\"projected\":{\"sources\":["
                + "{\"serviceAccountToken\":{\"path\":\"token\"}},{\"configMap\":{\"name\":\"kube-root-ca.crt\"}},"
                + "{\"secret\":{\"name\":\"tls\"}},{\"downwardAPI\":{\"items\":[]}}]}}]}");

        assertEquals(Set.of("serviceaccount/default", "configmap/kube-root-ca.crt", "secret/tls"), refs);
    }

    @Test
    void shouldReferenceEnvAndEnvFromOfContainersInitContainersAndEphemeralContainers() {
        Set<String> refs = refsOfSpec("{"
                + "\"initContainers\":[{\"name\":\"migrate\",\"env\":[{\"name\":\"P\",\"valueFrom\":{\"secretKeyRef\":{\"name\":\"migrate-creds\",\"key\":\"p\"}}}]}],"
                + "\"containers\":[{\"name\":\"web\",\"env\":[{\"name\":\"PLAIN\",\"value\":\"x\"},"
                + "{\"name\":\"C\",\"valueFrom\":{\"configMapKeyRef\":{\"name\":\"web-env\",\"key\":\"c\"}}},"
                + "{\"name\":\"F\",\"valueFrom\":{\"fieldRef\":{\"fieldPath\":\"metadata.name\"}}}],"
                + "\"envFrom\":[{\"secretRef\":{\"name\":\"web-secrets\"}},{\"configMapRef\":{\"name\":\"web-settings\"}}]}],"
                + "\"ephemeralContainers\":[{\"name\":\"debugger\",\"envFrom\":[{\"secretRef\":{\"name\":\"debug-token\"}}]}]}");

        assertEquals(Set.of("serviceaccount/default", "secret/migrate-creds", "configmap/web-env", "secret/web-secrets",
                "configmap/web-settings", "secret/debug-token"), refs);
    }

    @Test
    void shouldReferenceImagePullSecrets() {
        assertEquals(Set.of("serviceaccount/default", "secret/registry-pull"),
                refsOfSpec("{\"imagePullSecrets\":[{\"name\":\"registry-pull\"}]}"));
    }

    @Test
    void shouldReferenceResourceClaimsFromTheSpecAndFromTheStatusOfTemplatedClaims() {
        Set<String> refs = refs("{\"metadata\":{\"name\":\"gpu-job\"},\"spec\":{\"resourceClaims\":["
                + "{\"name\":\"gpu\",\"resourceClaimName\":\"shared-gpu\"},{\"name\":\"t\",\"resourceClaimTemplateName\":\"gpu-tpl\"}]},"
                + "\"status\":{\"resourceClaimStatuses\":[{\"name\":\"t\",\"resourceClaimName\":\"gpu-job-t-x7k2p\"}]}}");

        assertEquals(Set.of("serviceaccount/default", "resourceclaim/shared-gpu", "resourceclaim/gpu-job-t-x7k2p"), refs);
    }

    @Test
    void shouldIgnoreEmptyAndMissingNames() {
        Set<String> refs = refsOfSpec("{\"serviceAccountName\":\"\",\"volumes\":[{\"name\":\"v\",\"secret\":{}},"
                + "{\"name\":\"w\",\"configMap\":{\"name\":\"\"}},{\"name\":\"e\",\"emptyDir\":{}}],\"imagePullSecrets\":[{}]}");

        assertEquals(Set.of("serviceaccount/default"), refs);
    }
}
