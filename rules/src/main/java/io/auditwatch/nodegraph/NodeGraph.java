package io.auditwatch.nodegraph;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditwatch.alert.Alert;
import io.auditwatch.engine.Analysis;
import io.auditwatch.engine.AnalysisRule;
import io.auditwatch.engine.AnalysisRules;
import io.auditwatch.engine.FiredMemory;
import io.auditwatch.engine.RequestKey;
import io.auditwatch.event.AuditEvent;
import io.auditwatch.identity.Identity;
import io.auditwatch.state.ExpiringState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Rebuilds the Node Authorizer's node→pod→object graph from the audit stream and judges what node credentials
 * (kubelets, and pod tokens bound to a node) touch: an object that only pods on other nodes reference is
 * lateral movement. Pods reference secrets, configmaps, claims and service accounts of their own namespace
 * only, so the whole graph of a namespace lives in one partition: the topology keys this analysis by namespace.
 * <p>
 * Allowed accesses are judged after a grace window in event time: events from several API servers interleave,
 * and a kubelet's read can arrive seconds before the create or binding that justifies it.
 * <p>
 * This class judges; the parts it judges with: {@link PodLifecycle} and {@link VolumeLifecycle} learn the graph,
 * {@link Verdicts} place an object relative to a node, {@link GraphState} is the key schema, {@link Forwards} what
 * partitions tell each other, {@link NodeAlerts} the alerts' words.
 */
public final class NodeGraph implements Analysis {
    /** Accesses by node credentials judged, per node and verdict (related, unrelated, unknown). */
    public static final String COVERAGE_METRIC = "auditwatch.nodegraph.accesses";
    /** Remembers which denials were judged, as {@link FiredMemory} remembers which rules fired. */
    private static final String DENIAL_JUDGED = "node-denial-judged";
    /**
     * Probing: this many distinct objects the graph cannot place, denied to one node within the window. Denials
     * of objects related to the node (API server restarts, watches of a just-deleted pod's configmaps) never
     * count; real clusters show a handful of those per node and minute.
     */
    static final int PROBE_DISTINCT_OBJECTS = 8;
    static final long PROBE_WINDOW_MILLIS = Duration.ofMinutes(5).toMillis();
    private static final Set<String> READ_VERBS = Set.of("get", "list", "watch");
    /** Partition of the cluster-scoped part of the graph; no namespace can be named so. */
    static final String CLUSTER_SCOPED = "~cluster";

    private final long graceMillis;
    private final PodLifecycle pods;
    private final VolumeLifecycle volumes;
    private final AnalysisRules tuning;
    private final FiredMemory fired;
    /** Per {@code node|verdict}: see {@link #coverage()}. Shared by the stream threads that host this graph. */
    private final ConcurrentMap<String, Tally> coverage = new ConcurrentHashMap<>();

    private record Tally(LongAdder count, Counter metric) {
    }

    /**
     * @param grace           how long (event time) an allowed access waits for a late create or binding
     * @param requestMemory   how long a request that fired is remembered (as for every rule)
     * @param recentlyRelated how long a deleted pod still entitles its node (kubelets tear pods down after delete)
     * @param tuning          where the node rules' definitions (their documents in the pack) and tuning are found
     */
    public NodeGraph(Duration grace, Duration requestMemory, Duration recentlyRelated, AnalysisRules tuning) {
        this.graceMillis = grace.toMillis();
        this.pods = new PodLifecycle(recentlyRelated.toMillis());
        this.volumes = new VolumeLifecycle(recentlyRelated.toMillis());
        this.fired = new FiredMemory(requestMemory);
        this.tuning = tuning;
    }

    /**
     * The graph needs pod and VolumeAttachment lifecycle, node credentials touching namespaced objects, and
     * kubelets touching persistent volumes and attachments.
     */
    @Override
    public boolean accepts(AuditEvent e) {
        if (Forwards.USER.equals(e.username())) {
            return true;
        }
        if (e.namespace() == null || e.namespace().isEmpty()) {
            return VolumeLifecycle.isAttachmentLifecycle(e) || VolumeLifecycle.isVolumeLifecycle(e) || e.identity().isNode() && Target.VOLUMES.containsKey(e.resource());
        }
        // Of everyone else's pod requests only the lifecycle matters: controllers' pod reads are a tenth of a cluster's
        // events and would cross a repartition for nothing.
        return PodLifecycle.isPodLifecycle(e)
                || (e.identity().isNodeBound() || unresolvedPodToken(e.identity())) && Target.KINDS.containsKey(e.resource());
    }

    /**
     * The partition key this analysis needs: the namespace, or one partition for the cluster-scoped part. A pod
     * token without a node claim (clusters before 1.30) first goes to its own namespace, where its pod is known.
     */
    public static String partitionKey(AuditEvent e) {
        if (Forwards.USER.equals(e.username()) && Forwards.CLAIM_USE_VERB.equals(e.verb)) {
            return CLUSTER_SCOPED;
        }
        if (unresolvedPodToken(e.identity())) {
            return e.identity().serviceAccountNamespace();
        }
        return e.namespace() == null || e.namespace().isEmpty() ? CLUSTER_SCOPED : e.namespace();
    }

    /** A pod's token that names its pod but not its node. */
    private static boolean unresolvedPodToken(Identity who) {
        return who.isServiceAccount() && who.node() == null && who.pod() != null && who.serviceAccountNamespace() != null;
    }

    /**
     * Updates the graph with one event, judges it, and flushes accesses whose grace window has passed. For a host
     * with one state for every partition (replay): what the graph sends between its partitions is processed here.
     */
    @Override
    public List<Alert> process(AuditEvent e, ExpiringState state) {
        List<Alert> alerts = new ArrayList<>(0);
        alerts.addAll(process(e, state, forwarded -> alerts.addAll(process(forwarded, state))));
        return alerts;
    }

    /**
     * Updates the graph with one event, judges it, and flushes accesses whose grace window has passed; {@code
     * forward} takes the events this partition sends to another ({@link #partitionKey} says which).
     */
    public List<Alert> process(AuditEvent e, ExpiringState state, Consumer<AuditEvent> forward) {
        List<Alert> alerts = new ArrayList<>(0);
        if (Forwards.USER.equals(e.username()) && Forwards.CLAIM_USE_VERB.equals(e.verb)) {
            JsonNode use = e.requestObject;
            state.put(GraphState.CLAIM_USE + e.namespace() + "/" + e.objectName() + "|" + use.path("pod").asText(),
                    use.path("node").asText(), use.path("expiresAt").asLong(GraphState.FOREVER));
            alerts.addAll(flush(state, state.now()));
            return alerts;
        }
        if (unresolvedPodToken(e.identity())) {
            PodRecord own = GraphState.podByName(state, e.identity().serviceAccountNamespace(), e.identity().pod());
            if (own == null || own.node() == null) {
                return flush(state, state.now()); // its pod is unknown: no verdict
            }
            AuditEvent resolved = Forwards.withNode(e, own.node());
            if (!e.identity().serviceAccountNamespace().equals(e.namespace())) {
                forward.accept(resolved);
                return flush(state, state.now());
            }
            e = resolved;
        }
        if (PodLifecycle.isPodLifecycle(e)) {
            pods.update(e, state, forward);
        } else if (VolumeLifecycle.isAttachmentLifecycle(e)) {
            volumes.updateAttachments(e, state);
        } else if (VolumeLifecycle.isVolumeLifecycle(e)) {
            volumes.updateVolumes(e, state);
        }
        Identity who = e.identity();
        if (who.isNodeBound() && Target.KINDS.containsKey(e.resource()) || who.isNode() && Target.VOLUMES.containsKey(e.resource())) {
            judge(e, who, state, alerts);
        }
        alerts.addAll(flush(state, state.now()));
        return alerts;
    }

    /** Judges every pending access due at {@code upTo}; replay calls it with Long.MAX_VALUE at end of input. */
    public List<Alert> flush(ExpiringState state, long upTo) {
        List<Map.Entry<String, String>> due = new ArrayList<>();
        // Pending keys lead with their due time: a scan of what is due, not of everything waiting (it runs per event).
        state.range(GraphState.PENDING, GraphState.PENDING + GraphState.dueKey(upTo) + "}", (key, value) -> due.add(Map.entry(key, value)));
        List<Alert> alerts = new ArrayList<>(0);
        for (Map.Entry<String, String> pending : due) {
            state.delete(pending.getKey());
            String value = pending.getValue();
            PendingAccess access = PendingAccess.decode(value.substring(value.indexOf('|') + 1), GraphState::read);
            Identity who = access.who();
            Relation relation = Verdicts.relation(state, access.namespace(), access.target(), who, true);
            if (relation.kind() == Relation.Kind.UNRELATED) {
                String rule = who.isNode() ? NodeRules.UNRELATED_ACCESS : NodeRules.CROSS_NODE;
                AuditEvent event = GraphState.read(access.event());
                // A copy of this request re-sent later (a retried batch, a re-shipped file) must not alert again.
                fired.remember(state, rule, event, RequestKey.of(event));
                // One finding per credential and object while requests are remembered: a kubelet renews its watch of
                // an object every few minutes, and each renewal is the same finding, not another page.
                if (fired.firstTime(state, rule, event, "object|" + event.username() + "|"
                        + access.namespace() + "|" + access.target().kind() + "/" + access.target().name())) {
                    raise(alerts, rule, event, access.target(), relation);
                }
            }
            count(who.node(), relation.kind());
        }
        return alerts;
    }

    /**
     * Accesses this graph judged per node and verdict ({@code node|verdict}), for replay's coverage line; live, the
     * counter {@value #COVERAGE_METRIC} says the same on /metrics. Not state: a changelogged counter per node
     * cost a store write per kubelet read, for a figure only replay reads.
     */
    public Map<String, Long> coverage() {
        Map<String, Long> counts = new TreeMap<>();
        coverage.forEach((key, tally) -> counts.put(key, tally.count().sum()));
        return counts;
    }

    private void judge(AuditEvent e, Identity who, ExpiringState state, List<Alert> alerts) {
        String node = who.node();
        Target target = Target.of(e);
        boolean denied = !e.allowed() && e.responseCode() != null;
        if (who.isNode() && denied) {
            // Once per request: a denied watch is logged at ResponseStarted and again at ResponseComplete.
            if (fired.firstTime(state, DENIAL_JUDGED, e, RequestKey.of(e))) {
                judgeDenial(e, node, target, state, alerts);
            }
            return;
        }
        if (!e.allowed() || target.name() == null || !isJudgedAccess(e, who)) {
            return;
        }
        String rule = who.isNode() ? NodeRules.UNRELATED_ACCESS : NodeRules.CROSS_NODE;
        String requestKey = RequestKey.of(e);
        // Judged after the grace window; fired memory is set now so later stages do not queue it again. A last stage
        // judged twice (a retried batch) queues the same pending key and counts twice in coverage, nothing more.
        if (!fired.notFiredAtAnEarlierStage(state, rule, e, requestKey)) {
            return;
        }
        // Related when it happened stays related: the window only waits for late events that could justify an
        // access. Judged later by name alone, a pod's last accesses from its old node would be blamed once a
        // StatefulSet reuses the name on another node within the window.
        if (Verdicts.relation(state, e.namespace(), target, who, false).kind() == Relation.Kind.RELATED) {
            count(node, Relation.Kind.RELATED);
            return;
        }
        long due = e.eventTimeMillis() + graceMillis;
        state.put(GraphState.PENDING + GraphState.dueKey(due) + "|" + e.namespace() + "|" + rule + "|" + requestKey,
                due + "|" + PendingAccess.of(e, GraphState.write(e)).encode(), GraphState.FOREVER);
    }

    private void judgeDenial(AuditEvent e, String node, Target target, ExpiringState state, List<Alert> alerts) {
        Relation relation = target.name() == null ? null : Verdicts.relation(state, e.namespace(), target, e.identity(), true);
        // A whole collection asked for, or an object only other nodes' pods use: not the benign kinds of denial
        // (API server restart, a deleted pod's watches), which name an object of this node or one we don't know.
        boolean alert = relation == null || relation.kind() == Relation.Kind.UNRELATED
                || relation.kind() == Relation.Kind.UNKNOWN && probing(state, node, e.namespace(), target);
        if (alert && fired.firstTime(state, NodeRules.DENIED, e, RequestKey.of(e))) {
            raise(alerts, NodeRules.DENIED, e, target, relation);
        }
        count(node, relation == null ? Relation.Kind.UNRELATED : relation.kind());
    }

    /** Remembers a denial of an object the graph cannot place; true once per window when the node crosses the bar. */
    private static boolean probing(ExpiringState state, String node, String ns, Target target) {
        String prefix = GraphState.PROBE + node + "|" + ns + "|";
        state.put(prefix + target.kind() + "/" + target.name(), "", state.now() + PROBE_WINDOW_MILLIS);
        int[] distinct = {0};
        state.range(prefix, (key, value) -> distinct[0]++);
        if (distinct[0] < PROBE_DISTINCT_OBJECTS || state.get(GraphState.PROBED + node + "|" + ns) != null) {
            return false;
        }
        state.put(GraphState.PROBED + node + "|" + ns, "", state.now() + PROBE_WINDOW_MILLIS);
        return true;
    }

    /** Kubelets: any read or write of a named object. Pod tokens: what lateral movement needs. */
    private static boolean isJudgedAccess(AuditEvent e, Identity who) {
        if (who.isNode()) {
            return true;
        }
        String resource = e.resource();
        String sub = e.subresource();
        return switch (resource) {
            case "secrets", "configmaps" -> READ_VERBS.contains(e.verb);
            case "serviceaccounts" -> "token".equals(sub) && "create".equals(e.verb);
            case "pods" -> "exec".equals(sub) || "attach".equals(sub) || "portforward".equals(sub)
                    || "ephemeralcontainers".equals(sub) || sub == null && ("patch".equals(e.verb) || "update".equals(e.verb));
            default -> false;
        };
    }

    private void count(String node, Relation.Kind kind) {
        String verdict = kind.name().toLowerCase(java.util.Locale.ROOT);
        // The coverage gauge per node: many "unknown" means the audit policy or the snapshot is too thin.
        Tally tally = coverage.computeIfAbsent(node + "|" + verdict,
                key -> new Tally(new LongAdder(), Metrics.counter(COVERAGE_METRIC, "node", node, "verdict", verdict)));
        tally.count().increment();
        tally.metric().increment();
    }

    /** Adds the alert of rule {@code id} on {@code e} unless the rule, as tuned now, is disabled or excepts it. */
    private void raise(List<Alert> alerts, String id, AuditEvent e, Target target, Relation relation) {
        AnalysisRule rule = tuning.rule(id);
        if (rule.firesOn(e)) {
            alerts.add(NodeAlerts.of(rule.definition(), e, target, relation, graceMillis));
        }
    }

}
