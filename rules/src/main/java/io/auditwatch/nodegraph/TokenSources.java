package io.auditwatch.nodegraph;

import io.auditwatch.alert.Alert;
import io.auditwatch.engine.AnalysisRule;
import io.auditwatch.engine.AnalysisRules;
import io.auditwatch.engine.Alerts;
import io.auditwatch.engine.Analysis;
import io.auditwatch.engine.FiredMemory;
import io.auditwatch.engine.RequestKey;
import io.auditwatch.event.AuditEvent;
import io.auditwatch.identity.Identity;
import io.auditwatch.state.ExpiringState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * {@code node-token-foreign-source}: a node-bound pod token used from an address never seen for that token
 * or for its service account on its node, once they have been watched for a learning period. A stolen token
 * replayed from outside the cluster comes from elsewhere; the node's own pods call from the node's pod range, so
 * an address in a known /24 (IPv4) or /64 (IPv6) counts as seen: new pods get new addresses in the same range.
 * Keyed like the identity topology: a DaemonSet's tokens on every node share one username, so one partition.
 */
public final class TokenSources implements Analysis {
    private static final String FIRST = "tsfirst|";
    private static final String NODE_RANGE = "tsnode|";
    private static final String TOKEN_IP = "tstoken|";

    private final long learningMillis;
    private final long memoryMillis;
    private final FiredMemory fired;
    private final AnalysisRules tuning;

    /**
     * @param learning how long a node is watched before a new address counts as foreign
     * @param memory   how long an address stays known after it was last seen
     * @param tuning   where {@code node-token-foreign-source}'s definition (its document in the pack) and tuning are found
     */
    public TokenSources(Duration learning, Duration memory, Duration requestMemory, AnalysisRules tuning) {
        this.learningMillis = learning.toMillis();
        this.memoryMillis = memory.toMillis();
        this.fired = new FiredMemory(requestMemory);
        this.tuning = tuning;
    }

    @Override
    public boolean accepts(AuditEvent e) {
        Identity who = e.identity();
        return who.isServiceAccount() && who.isNodeBound() && e.sourceIPs != null && !e.sourceIPs.isEmpty();
    }

    @Override
    public List<Alert> process(AuditEvent e, ExpiringState state) {
        if (!accepts(e)) {
            return List.of();
        }
        Identity who = e.identity();
        String node = who.node();
        String token = who.credentialId() != null ? who.credentialId() : who.podUid() != null ? who.podUid() : who.pod();
        String ip = e.sourceIPs.get(0);
        String range = range(ip);
        long now = e.eventTimeMillis();
        // Per node and service account: the key the identity topology partitions by, so live and replay learn alike,
        // and a workload new on a node learns its own addresses (a DaemonSet on the host network says nothing of the
        // pod network a new Deployment's pods call from).
        String watch = node + "|" + e.username();
        String first = state.get(FIRST + watch);
        if (first == null) {
            first = Long.toString(now);
        }
        boolean learning = now < Long.parseLong(first) + learningMillis;
        boolean known = token == null || state.get(TOKEN_IP + token + "|" + ip) != null
                || state.get(NODE_RANGE + watch + "|" + range) != null;
        // Seen now: remembered, and the node's watch goes on (its first sighting stays put while it is active).
        state.put(FIRST + watch, first, now + memoryMillis);
        if (token != null) {
            state.put(TOKEN_IP + token + "|" + ip, "", now + memoryMillis);
        }
        if (known || learning) {
            state.put(NODE_RANGE + watch + "|" + range, "", now + memoryMillis);
            return List.of();
        }
        AnalysisRule rule = tuning.rule(NodeRules.FOREIGN_SOURCE);
        String requestKey = RequestKey.of(e);
        if (!rule.firesOn(e) || !fired.firstTime(state, NodeRules.FOREIGN_SOURCE, e, requestKey)) {
            return List.of();
        }
        String id = RequestKey.digest(NodeRules.FOREIGN_SOURCE + "|" + requestKey, 32);
        return List.of(Alerts.single(rule.definition(), e, id,
                "token of " + who.serviceAccountNamespace() + "/" + who.pod() + " on " + node + " used from " + ip,
                "The token of pod " + who.serviceAccountNamespace() + "/" + who.pod() + " (" + e.username()
                        + ", bound to node " + node + ") was used from " + ip + ", an address never seen for this token"
                        + " or for any pod of " + node + " (watched since " + Instant.ofEpochMilli(Long.parseLong(first))
                        + "). Pod tokens are used from their node's pod network; a token copied off a compromised node"
                        + " and replayed from elsewhere looks like this. Revoke it by deleting the pod, and check " + node + "."));
    }

    /** The /24 of an IPv4 address, the /64 of an IPv6 one. */
    static String range(String ip) {
        if (ip.indexOf(':') >= 0) {
            String[] groups = ip.split(":", -1);
            return groups.length >= 4 ? String.join(":", groups[0], groups[1], groups[2], groups[3]) + "::/64" : ip;
        }
        int last = ip.lastIndexOf('.');
        return last < 0 ? ip : ip.substring(0, last) + ".0/24";
    }
}
