package io.auditwatch.identity;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.identity.UserInfo;
import io.auditwatch.testing.EventJson;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdentityTest {
    private static UserInfo user(String username, String... groups) {
        return new UserInfo(username, null, groups.length == 0 ? null : List.of(groups), null);
    }

    @Test
    void shouldRecogniseANodeByUsernameAloneWhenGroupsAreMissing() {
        Identity id = Identity.of(user("system:node:ip-10-0-1-17.ec2.internal"));

        assertAll(
                () -> assertEquals(IdentityKind.NODE, id.kind()),
                () -> assertTrue(id.isNode()),
                () -> assertEquals("ip-10-0-1-17.ec2.internal", id.node()),
                () -> assertEquals("system:node:ip-10-0-1-17.ec2.internal", id.username()),
                () -> assertTrue(id.isNodeBound()),
                () -> assertFalse(id.isServiceAccount()),
                () -> assertFalse(id.isHuman()),
                () -> assertNull(id.pod()));
    }

    @Test
    void shouldReadANodeFromAParsedEventWithoutGroups() {
        Identity id = EventJson.event().user("system:node:ip-10-0-1-17.ec2.internal").parse().identity();

        assertEquals(IdentityKind.NODE, id.kind());
        assertEquals("ip-10-0-1-17.ec2.internal", id.node());
    }

    @Test
    void shouldKeepTheCredentialIdOfANode() {
        Identity id = Identity.of(new UserInfo("system:node:worker-1", null, List.of("system:nodes"),
                Map.of(Identity.CLAIM_CREDENTIAL_ID, List.of("X509SHA256=abc"))));

        assertEquals("X509SHA256=abc", id.credentialId());
    }

    @Test
    void shouldNotTakeTheBareNodePrefixForANode() {
        Identity id = Identity.of(user("system:node:"));

        assertEquals(IdentityKind.USER, id.kind());
        assertFalse(id.isNodeBound());
    }

    @Test
    void shouldBindAServiceAccountTokenToItsPodAndNodeFromUserExtra() {
        Identity id = EventJson.event()
                .set("user", Map.of(
                        "username", "system:serviceaccount:monitoring:node-exporter",
                        "uid", "1c3f2a55-8d2e-4c8e-9b0e-2f0c9d7b6a41",
                        "groups", List.of("system:serviceaccounts", "system:serviceaccounts:monitoring",
                                "system:authenticated"),
                        "extra", Map.of(
                                Identity.CLAIM_NODE_NAME, List.of("ip-10-0-1-17.ec2.internal"),
                                Identity.CLAIM_NODE_UID, List.of("6d0a4c1e-node"),
                                Identity.CLAIM_POD_NAME, List.of("node-exporter-x7k2p"),
                                Identity.CLAIM_POD_UID, List.of("9f1e7b3a-pod"),
                                Identity.CLAIM_CREDENTIAL_ID, List.of("JTI=4f6c2d9e-2b7a-4e59-9c1f-8a3d5e7b9c10"))))
                .parse().identity();

        assertAll(
                () -> assertEquals(IdentityKind.SERVICE_ACCOUNT, id.kind()),
                () -> assertTrue(id.isServiceAccount()),
                () -> assertTrue(id.isNodeBound()),
                () -> assertEquals("ip-10-0-1-17.ec2.internal", id.node()),
                () -> assertEquals("6d0a4c1e-node", id.nodeUid()),
                () -> assertEquals("node-exporter-x7k2p", id.pod()),
                () -> assertEquals("9f1e7b3a-pod", id.podUid()),
                () -> assertEquals("JTI=4f6c2d9e-2b7a-4e59-9c1f-8a3d5e7b9c10", id.credentialId()),
                () -> assertEquals("monitoring", id.serviceAccountNamespace()),
                () -> assertEquals("node-exporter", id.serviceAccountName()),
                () -> assertFalse(id.isNode()),
                () -> assertFalse(id.isHuman()));
    }

    @Test
    void shouldSplitAServiceAccountIntoNamespaceAndNameWithoutBindingItToANode() {
        Identity id = Identity.of(user("system:serviceaccount:kube-system:replicaset-controller"));

        assertEquals(IdentityKind.SERVICE_ACCOUNT, id.kind());
        assertEquals("kube-system", id.serviceAccountNamespace());
        assertEquals("replicaset-controller", id.serviceAccountName());
        assertFalse(id.isNodeBound());
        assertNull(id.node());
        assertNull(id.pod());
    }

    @Test
    void shouldTreatAnEmptyExtraClaimAsAbsent() {
        Identity id = Identity.of(new UserInfo("system:serviceaccount:ns:sa", null, null,
                Map.of(Identity.CLAIM_NODE_NAME, List.of())));

        assertFalse(id.isNodeBound());
    }

    @Test
    void shouldRecogniseAHumanUser() {
        Identity id = Identity.of(user("alice@example.com", "system:authenticated", "oidc:sre"));

        assertEquals(IdentityKind.USER, id.kind());
        assertTrue(id.isHuman());
        assertFalse(id.isNodeBound());
        assertFalse(id.isAnonymous());
        assertFalse(id.isControlPlane());
    }

    @Test
    void shouldRecogniseAnonymousAsNeitherHumanNorNode() {
        Identity id = Identity.of(user("system:anonymous", "system:unauthenticated"));

        assertTrue(id.isAnonymous());
        assertFalse(id.isHuman());
        assertEquals(IdentityKind.USER, id.kind());
    }

    @ParameterizedTest
    @ValueSource(strings = {"system:kube-controller-manager", "system:kube-scheduler", "system:apiserver",
            "eks:node-manager", "eks:certificate-controller", "system:gke-common-webhooks",
            "aksService"})
    void shouldNotTakeControlPlaneComponentsForHumans(String username) {
        Identity id = Identity.of(user(username));

        assertTrue(id.isControlPlane(), username);
        assertFalse(id.isHuman(), username);
    }

    @Test
    void shouldGiveAnUnknownIdentityForANullUser() {
        Identity id = Identity.of(null);

        assertEquals(IdentityKind.USER, id.kind());
        assertEquals("", id.username());
        assertFalse(id.isHuman());
        assertFalse(id.isNodeBound());
        assertFalse(id.isAnonymous());
    }

    @Test
    void shouldGiveAnUnknownIdentityForAUserWithoutUsername() {
        Identity id = Identity.of(new UserInfo(null, "uid-1", List.of("system:authenticated"), null));

        assertEquals("", id.username());
        assertFalse(id.isHuman());
    }

    @Test
    void shouldGiveAnEventWithoutUserTheUnknownIdentity() {
        Identity id = EventJson.event().remove("user").parse().identity();

        assertEquals("", id.username());
        assertFalse(id.isHuman());
    }

    @Test
    void shouldWriteKindsAsTheirJsonNames() {
        assertEquals("user", IdentityKind.USER.json());
        assertEquals("serviceaccount", IdentityKind.SERVICE_ACCOUNT.json());
        assertEquals("node", IdentityKind.NODE.json());
    }
}
