package io.auditwatch.identity;

import java.util.List;
import java.util.Set;

/**
 * The identity behind a request, derived from {@code user}: a human user, a service account, or a node.
 * Node credentials are recognised by username alone ({@code system:node:<name>}) because many exports drop
 * groups; pod-bound service-account tokens carry their pod and node in {@code user.extra} claims.
 */
public record Identity(IdentityKind kind, String username, String node, String nodeUid, String pod,
                       String podUid, String credentialId, String serviceAccountNamespace,
                       String serviceAccountName) {

    public static final String NODE_PREFIX = "system:node:";
    public static final String NODES_GROUP = "system:nodes";
    public static final String SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:";
    public static final String ANONYMOUS = "system:anonymous";
    public static final String CLAIM_POD_NAME = "authentication.kubernetes.io/pod-name";
    public static final String CLAIM_POD_UID = "authentication.kubernetes.io/pod-uid";
    public static final String CLAIM_NODE_NAME = "authentication.kubernetes.io/node-name";
    public static final String CLAIM_NODE_UID = "authentication.kubernetes.io/node-uid";
    public static final String CLAIM_CREDENTIAL_ID = "authentication.kubernetes.io/credential-id";

    /** Components of the control plane that read secrets and everything else all day by design. */
    private static final Set<String> CONTROL_PLANE_USERS = Set.of(
            "system:kube-controller-manager", "system:kube-scheduler", "system:apiserver",
            "system:kube-proxy", "system:volume-scheduler", "system:cloud-controller-manager",
            "kube-apiserver-kubelet-client", "system:kube-aggregator");
    private static final List<String> CONTROL_PLANE_PREFIXES = List.of("eks:", "system:gke-", "aksService");

    private static final Identity UNKNOWN = new Identity(IdentityKind.USER, "", null, null, null, null, null,
            null, null);

    public static Identity of(UserInfo user) {
        if (user == null || user.username() == null) {
            return UNKNOWN;
        }
        String name = user.username();
        String credentialId = user.extraValue(CLAIM_CREDENTIAL_ID);
        if (name.startsWith(NODE_PREFIX) && name.length() > NODE_PREFIX.length()) {
            return new Identity(IdentityKind.NODE, name, name.substring(NODE_PREFIX.length()), null, null, null,
                    credentialId, null, null);
        }
        if (name.startsWith(SERVICE_ACCOUNT_PREFIX)) {
            String rest = name.substring(SERVICE_ACCOUNT_PREFIX.length());
            int colon = rest.indexOf(':');
            String namespace = colon < 0 ? null : rest.substring(0, colon);
            String account = colon < 0 ? rest : rest.substring(colon + 1);
            return new Identity(IdentityKind.SERVICE_ACCOUNT, name, user.extraValue(CLAIM_NODE_NAME),
                    user.extraValue(CLAIM_NODE_UID), user.extraValue(CLAIM_POD_NAME),
                    user.extraValue(CLAIM_POD_UID), credentialId, namespace, account);
        }
        return new Identity(IdentityKind.USER, name, null, null, null, null, credentialId, null, null);
    }

    public boolean isNode() {
        return kind == IdentityKind.NODE;
    }

    public boolean isServiceAccount() {
        return kind == IdentityKind.SERVICE_ACCOUNT;
    }

    public boolean isAnonymous() {
        return ANONYMOUS.equals(username);
    }

    public boolean isControlPlane() {
        if (CONTROL_PLANE_USERS.contains(username)) {
            return true;
        }
        for (String prefix : CONTROL_PLANE_PREFIXES) {
            if (username.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /** A person: not a node, service account, anonymous caller or control-plane component. */
    public boolean isHuman() {
        return kind == IdentityKind.USER && !username.isEmpty() && !isAnonymous() && !isControlPlane();
    }

    /** A node credential, or a pod token bound to a node (DaemonSet tokens are the prime case). */
    public boolean isNodeBound() {
        return node != null;
    }
}
