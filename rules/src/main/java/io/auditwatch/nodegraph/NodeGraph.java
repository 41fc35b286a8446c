package io.auditwatch.nodegraph;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditwatch.alert.Alert;
import io.auditwatch.engine.Alerts;
import io.auditwatch.engine.Analysis;
import io.auditwatch.engine.FiredMemory;
import io.auditwatch.engine.AnalysisRule;
import io.auditwatch.engine.AnalysisRules;
import io.auditwatch.engine.RequestKey;
import io.auditwatch.engine.RuleDefinition;
import io.auditwatch.event.AuditEvent;
import io.auditwatch.event.AuditEventReader;
import io.auditwatch.event.UserInfo;
import io.auditwatch.identity.Identity;
import io.auditwatch.state.ExpiringState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
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
 */
public final class NodeGraph implements Analysis {
    private static final String POD = "pod|";
    private static final String NAME = "podname|";
    private static final String REF = "ref|";
    private static final String BLIND = "blind|";
    private static final String PENDING = "pending|";
    /** Accesses by node credentials judged, per node and verdict (related, unrelated, unknown). */
    public static final String COVERAGE_METRIC = "auditwatch.nodegraph.accesses";
    /** Remembers which denials were judged, as {@link FiredMemory} remembers which rules fired. */
    private static final String DENIAL_JUDGED = "node-denial-judged";
    private static final String PROBE = "probe|";
    private static final String PROBED = "probed|";
    /**
     * Probing: this many distinct objects the graph cannot place, denied to one node within the window. Denials
     * of objects related to the node (API server restarts, watches of a just-deleted pod's configmaps) never
     * count; real clusters show a handful of those per node and minute.
     */
    static final int PROBE_DISTINCT_OBJECTS = 8;
    static final long PROBE_WINDOW_MILLIS = Duration.ofMinutes(5).toMillis();
    /** Live pods never expire; a deleted pod's entries expire once it is no longer "recently related". */
    private static final long FOREVER = 9_999_999_999_999L;
    /** How long a kubelet's access to a pod we never saw keeps its node "blind" in that namespace. */
    private static final long BLIND_MEMORY_MILLIS = Duration.ofHours(24).toMillis();
    private static final Set<String> READ_VERBS = Set.of("get", "list", "watch");
    private static final Map<String, String> KINDS = Map.of("secrets", PodRefs.SECRET, "configmaps", PodRefs.CONFIGMAP,
            "persistentvolumeclaims", PodRefs.PVC, "resourceclaims", PodRefs.RESOURCE_CLAIM,
            "serviceaccounts", PodRefs.SERVICE_ACCOUNT, "pods", "pod");
    /** Cluster-scoped objects a kubelet may touch: judged through VolumeAttachments (node→attachment→PV). */
    private static final Map<String, String> VOLUMES = Map.of("persistentvolumes", "persistentvolume",
            "volumeattachments", "volumeattachment");
    /** Partition of the cluster-scoped part of the graph; no namespace can be named so. */
    static final String CLUSTER_SCOPED = "~cluster";
    private static final String ATTACHMENT = "va|";
    /** PV name → the claim ({@code ns/pvc}) it is bound to, from the PV's claimRef. */
    private static final String PV_CLAIM = "pvclaim|";
    /** {@code ns/pvc|pod uid} → the node of a pod that uses the claim, forwarded from the claim's namespace. */
    private static final String CLAIM_USE = "claimuse|";
    /**
     * The user of the events the graph sends itself between its partitions (a claim used on a node, a pod token
     * resolved to its node); no real credential can be named so.
     */
    public static final String FORWARD_USER = "auditwatch:nodegraph";
    private static final String CLAIM_USE_VERB = "auditwatch-claim-use";
    private static final String ATTACHED_PV = "vapv|";
    private static final String DAEMON_SET_REF = PodRefs.DAEMON_SET + "/";
    private static final ObjectMapper JSON = AuditEventReader.mapper();

    private final long graceMillis;
    private final long recentlyRelatedMillis;
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
     */
    public NodeGraph(Duration grace, Duration requestMemory, Duration recentlyRelated) {
        this(grace, requestMemory, recentlyRelated, AnalysisRules.BUILT_IN);
    }

    /** @param tuning where the node rules' current level, enabled flag and exceptions are found */
    public NodeGraph(Duration grace, Duration requestMemory, Duration recentlyRelated, AnalysisRules tuning) {
        this.graceMillis = grace.toMillis();
        this.recentlyRelatedMillis = recentlyRelated.toMillis();
        this.fired = new FiredMemory(requestMemory);
        this.tuning = tuning;
    }

    /**
     * The graph needs pod and VolumeAttachment lifecycle, node credentials touching namespaced objects, and
     * kubelets touching persistent volumes and attachments.
     */
    @Override
    public boolean accepts(AuditEvent e) {
        if (FORWARD_USER.equals(e.username())) {
            return true;
        }
        if (e.namespace() == null || e.namespace().isEmpty()) {
            return isAttachmentLifecycle(e) || isVolumeLifecycle(e) || e.identity().isNode() && VOLUMES.containsKey(e.resource());
        }
        // Of everyone else's pod requests only the lifecycle matters: controllers' pod reads are a tenth of a cluster's
        // events and would cross a repartition for nothing.
        return isPodLifecycle(e)
                || (e.identity().isNodeBound() || unresolvedPodToken(e.identity())) && KINDS.containsKey(e.resource());
    }

    /**
     * The partition key this analysis needs: the namespace, or one partition for the cluster-scoped part. A pod
     * token without a node claim (clusters before 1.30) first goes to its own namespace, where its pod is known.
     */
    public static String partitionKey(AuditEvent e) {
        if (FORWARD_USER.equals(e.username()) && CLAIM_USE_VERB.equals(e.verb)) {
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
        if (FORWARD_USER.equals(e.username()) && CLAIM_USE_VERB.equals(e.verb)) {
            JsonNode use = e.requestObject;
            state.put(CLAIM_USE + e.namespace() + "/" + e.objectName() + "|" + use.path("pod").asText(),
                    use.path("node").asText(), use.path("expiresAt").asLong(FOREVER));
            alerts.addAll(flush(state, state.now()));
            return alerts;
        }
        if (unresolvedPodToken(e.identity())) {
            PodRecord own = podByName(state, e.identity().serviceAccountNamespace(), e.identity().pod());
            if (own == null || own.node() == null) {
                return flush(state, state.now()); // its pod is unknown: no verdict
            }
            AuditEvent resolved = withNode(e, own.node());
            if (!e.identity().serviceAccountNamespace().equals(e.namespace())) {
                forward.accept(resolved);
                return flush(state, state.now());
            }
            e = resolved;
        }
        if (isPodLifecycle(e)) {
            updatePods(e, state, forward);
        } else if (isAttachmentLifecycle(e)) {
            updateAttachments(e, state);
        } else if (isVolumeLifecycle(e)) {
            updateVolumes(e, state);
        }
        Identity who = e.identity();
        if (who.isNodeBound() && KINDS.containsKey(e.resource()) || who.isNode() && VOLUMES.containsKey(e.resource())) {
            judge(e, who, state, alerts);
        }
        alerts.addAll(flush(state, state.now()));
        return alerts;
    }

    /** Judges every pending access due at {@code upTo}; replay calls it with Long.MAX_VALUE at end of input. */
    public List<Alert> flush(ExpiringState state, long upTo) {
        List<Map.Entry<String, String>> due = new ArrayList<>();
        // Pending keys lead with their due time: a scan of what is due, not of everything waiting (it runs per event).
        state.range(PENDING, PENDING + dueKey(upTo) + "}", (key, value) -> due.add(Map.entry(key, value)));
        List<Alert> alerts = new ArrayList<>(0);
        for (Map.Entry<String, String> pending : due) {
            state.delete(pending.getKey());
            String value = pending.getValue();
            PendingAccess access = PendingAccess.decode(value.substring(value.indexOf('|') + 1), NodeGraph::read);
            Identity who = access.who();
            Relation relation = relation(state, access.namespace(), access.target(), who, true);
            if (relation.kind() == Relation.Kind.UNRELATED) {
                RuleDefinition definition = who.isNode() ? NodeRules.UNRELATED_ACCESS : NodeRules.CROSS_NODE;
                AuditEvent event = read(access.event());
                // A copy of this request re-sent later (a retried batch, a re-shipped file) must not alert again.
                fired.remember(state, definition.id(), event, RequestKey.of(event));
                // One finding per credential and object while requests are remembered: a kubelet renews its watch of
                // an object every few minutes, and each renewal is the same finding, not another page.
                if (fired.firstTime(state, definition.id(), event, "object|" + event.username() + "|"
                        + access.namespace() + "|" + access.target().kind() + "/" + access.target().name())) {
                    raise(alerts, definition, event, access.target(), relation);
                }
            }
            count(who.node(), relation.kind());
        }
        return alerts;
    }

    /** A due time as a fixed-width key part, so that key order is time order. */
    private static String dueKey(long due) {
        String digits = Long.toString(Math.max(0, due));
        return "0".repeat(19 - digits.length()) + digits;
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
        String rule = who.isNode() ? NodeRules.UNRELATED_ACCESS.id() : NodeRules.CROSS_NODE.id();
        String requestKey = RequestKey.of(e);
        // Judged after the grace window; fired memory is set now so later stages do not queue it again. A last stage
        // judged twice (a retried batch) queues the same pending key and counts twice in coverage, nothing more.
        if (!fired.notFiredAtAnEarlierStage(state, rule, e, requestKey)) {
            return;
        }
        // Related when it happened stays related: the window only waits for late events that could justify an
        // access. Judged later by name alone, a pod's last accesses from its old node would be blamed once a
        // StatefulSet reuses the name on another node within the window.
        if (relation(state, e.namespace(), target, who, false).kind() == Relation.Kind.RELATED) {
            count(node, Relation.Kind.RELATED);
            return;
        }
        long due = e.eventTimeMillis() + graceMillis;
        state.put(PENDING + dueKey(due) + "|" + e.namespace() + "|" + rule + "|" + requestKey,
                due + "|" + PendingAccess.of(e, write(e)).encode(), FOREVER);
    }

    private void judgeDenial(AuditEvent e, String node, Target target, ExpiringState state, List<Alert> alerts) {
        Relation relation = target.name() == null ? null : relation(state, e.namespace(), target, e.identity(), true);
        // A whole collection asked for, or an object only other nodes' pods use: not the benign kinds of denial
        // (API server restart, a deleted pod's watches), which name an object of this node or one we don't know.
        boolean alert = relation == null || relation.kind() == Relation.Kind.UNRELATED
                || relation.kind() == Relation.Kind.UNKNOWN && probing(state, node, e.namespace(), target);
        if (alert && fired.firstTime(state, NodeRules.DENIED.id(), e, RequestKey.of(e))) {
            raise(alerts, NodeRules.DENIED, e, target, relation);
        }
        count(node, relation == null ? Relation.Kind.UNRELATED : relation.kind());
    }

    /** Remembers a denial of an object the graph cannot place; true once per window when the node crosses the bar. */
    private static boolean probing(ExpiringState state, String node, String ns, Target target) {
        String prefix = PROBE + node + "|" + ns + "|";
        state.put(prefix + target.kind() + "/" + target.name(), "", state.now() + PROBE_WINDOW_MILLIS);
        int[] distinct = {0};
        state.range(prefix, (key, value) -> distinct[0]++);
        if (distinct[0] < PROBE_DISTINCT_OBJECTS || state.get(PROBED + node + "|" + ns) != null) {
            return false;
        }
        state.put(PROBED + node + "|" + ns, "", state.now() + PROBE_WINDOW_MILLIS);
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

    /**
     * @param verdict whether this is the verdict: then a pod we never saw makes a kubelet's node blind. Else only
     *                RELATED counts (the access waits for its verdict otherwise), and what falls short of it by the
     *                node's own references comes back UNKNOWN without a look at other nodes' references.
     */
    Relation relation(ExpiringState state, String ns, Target target, Identity who, boolean verdict) {
        String node = who.node();
        if (VOLUMES.containsValue(target.kind())) {
            return attachmentRelation(state, target, node);
        }
        if ("pod".equals(target.kind())) {
            PodRecord pod = pod(state, ns, target.podUid());
            if (pod == null) {
                pod = podByName(state, ns, target.name());
            }
            if (pod == null || pod.node() == null) {
                if (who.isNode() && verdict) {
                    // The kubelet runs a pod we never saw created: its references are unknown, so no verdicts
                    // for this node in this namespace until the pod is learned or gone.
                    state.put(BLIND + node + "|" + ns + "|name:" + target.name(), "", state.now() + BLIND_MEMORY_MILLIS);
                }
                return Relation.UNKNOWN;
            }
            return pod.node().equals(node) ? Relation.RELATED : Relation.unrelated(Set.of(pod.node()));
        }
        String ref = target.kind() + "/" + target.name();
        if (who.isServiceAccount() && ns.equals(who.serviceAccountNamespace())) {
            // A pod token speaks for its own pod: unknown pod, unknown references. Its pod can reference objects
            // of its own namespace only, so it is not looked up for others: live, their graph is in another task.
            PodRecord own = who.pod() == null ? null : podByName(state, ns, who.pod());
            if (own == null || !own.specKnown()) {
                return Relation.UNKNOWN;
            }
            if (own.refs().contains(ref)) {
                return Relation.RELATED;
            }
        }
        String refs = REF + ns + "|" + ref + "|";
        // The common case first: a kubelet reading what its own pods mount is one short range, however many pods
        // on other nodes reference the object (every pod of a namespace mounts kube-root-ca.crt).
        // The own range holds every reference by a pod on this node (a key's node part is the pod's node), so
        // nothing further can make the object related.
        boolean[] own = {false};
        state.range(refs + node + "|", (key, refNode) -> own[0] = true);
        if (own[0]) {
            return Relation.RELATED;
        }
        if (!verdict) {
            return Relation.UNKNOWN;
        }
        // Blind before the other nodes' references: it settles most verdicts in one short range.
        boolean[] blind = {false};
        state.range(BLIND + node + "|" + ns + "|", (key, value) -> blind[0] = true);
        if (blind[0]) {
            return Relation.UNKNOWN;
        }
        Set<String> nodes = new TreeSet<>();
        Set<String> daemonSets = new TreeSet<>();
        state.range(refs, (key, value) -> {
            int bar = value.indexOf('|'); // node, then the DaemonSet of the referencing pod if it has one
            if (bar >= 0) {
                daemonSets.add(value.substring(bar + 1));
            }
            String refNode = bar >= 0 ? value.substring(0, bar) : value;
            if (!refNode.isEmpty()) { // earlier versions stored the references of unbound pods, under no node
                nodes.add(refNode);
            }
        });
        // A DaemonSet runs a pod on (nearly) every node: if this node's was never seen (it predates the stream), the
        // object is likely its own too, however many other nodes' pods of that DaemonSet the graph has seen.
        for (String daemonSet : daemonSets) {
            boolean[] seenHere = {false};
            state.range(REF + ns + "|" + DAEMON_SET_REF + daemonSet + "|" + node + "|", (key, value) -> seenHere[0] = true);
            if (!seenHere[0]) {
                return Relation.UNKNOWN;
            }
        }
        return nodes.isEmpty() ? Relation.UNKNOWN : Relation.unrelated(nodes);
    }

    /**
     * A PV is the node's while an attachment binds it there or a pod on the node uses the claim it is bound to
     * (the Node Authorizer's node→pod→PVC→PV edge); an attachment is the node's it names.
     */
    private static Relation attachmentRelation(ExpiringState state, Target target, String node) {
        Set<String> nodes = new TreeSet<>();
        if ("volumeattachment".equals(target.kind())) {
            String attached = state.get(ATTACHMENT + target.name());
            if (attached != null) {
                nodes.add(attached);
            }
        } else {
            state.range(ATTACHED_PV + target.name() + "|", (key, attachedNode) -> nodes.add(attachedNode));
            String claim = state.get(PV_CLAIM + target.name());
            if (claim != null) {
                state.range(CLAIM_USE + claim + "|", (key, usingNode) -> nodes.add(usingNode));
            }
        }
        if (nodes.isEmpty()) {
            return Relation.UNKNOWN; // neither attached through a VolumeAttachment nor claimed by a known pod
        }
        return nodes.contains(node) ? Relation.RELATED : Relation.unrelated(nodes);
    }

    private static boolean isAttachmentLifecycle(AuditEvent e) {
        Integer code = e.responseCode();
        return "volumeattachments".equals(e.resource()) && e.subresource() == null && code != null && code < 300
                && "ResponseComplete".equals(e.stage) && ("create".equals(e.verb) || "delete".equals(e.verb));
    }

    /** The attach/detach controller attaches a PV to a node; a detached one stays related a while, like a pod. */
    private void updateAttachments(AuditEvent e, ExpiringState state) {
        JsonNode va = null;
        for (JsonNode candidate : new JsonNode[] {e.responseObject, e.requestObject}) {
            if (candidate != null && "VolumeAttachment".equals(candidate.path("kind").asText())) {
                va = candidate;
                break;
            }
        }
        String name = va != null ? va.path("metadata").path("name").asText(e.objectName()) : e.objectName();
        if (va == null || name == null) {
            return;
        }
        String node = va.path("spec").path("nodeName").asText(null);
        String pv = va.path("spec").path("source").path("persistentVolumeName").asText(null);
        if (node == null) {
            return;
        }
        long expiresAt = "delete".equals(e.verb) ? e.eventTimeMillis() + recentlyRelatedMillis : FOREVER;
        state.put(ATTACHMENT + name, node, expiresAt);
        if (pv != null) {
            state.put(ATTACHED_PV + pv + "|" + name, node, expiresAt);
        }
    }

    private static boolean isVolumeLifecycle(AuditEvent e) {
        Integer code = e.responseCode();
        return "persistentvolumes".equals(e.resource()) && code != null && code < 300 && "ResponseComplete".equals(e.stage)
                && Set.of("create", "update", "patch", "delete").contains(e.verb);
    }

    /** The PV controller binds a PV to its claim (claimRef); a deleted PV stays related a while. */
    private void updateVolumes(AuditEvent e, ExpiringState state) {
        JsonNode pv = null;
        for (JsonNode candidate : new JsonNode[] {e.responseObject, e.requestObject}) {
            if (candidate != null && "PersistentVolume".equals(candidate.path("kind").asText())) {
                pv = candidate;
                break;
            }
        }
        if (pv == null) {
            return;
        }
        String name = pv.path("metadata").path("name").asText(e.objectName());
        JsonNode claimRef = pv.path("spec").path("claimRef");
        if (name == null || !claimRef.hasNonNull("name") || !claimRef.hasNonNull("namespace")) {
            return;
        }
        long expiresAt = "delete".equals(e.verb) ? e.eventTimeMillis() + recentlyRelatedMillis : FOREVER;
        state.put(PV_CLAIM + name, claimRef.get("namespace").asText() + "/" + claimRef.get("name").asText(), expiresAt);
    }

    /** "A pod of {@code node} uses claim {@code ns/pvc}", for the cluster-scoped partition. */
    private static AuditEvent claimUse(String ns, String pvc, String podUid, String node, long expiresAt, AuditEvent cause) {
        ObjectNode event = JSON.createObjectNode();
        event.put("kind", "Event");
        event.put("stage", "ResponseComplete");
        event.put("verb", CLAIM_USE_VERB);
        event.putObject("user").put("username", FORWARD_USER);
        event.putObject("objectRef").put("resource", "persistentvolumeclaims").put("namespace", ns).put("name", pvc);
        event.putObject("requestObject").put("pod", podUid).put("node", node).put("expiresAt", expiresAt);
        event.putObject("auditwatch").put("cluster", cause.cluster()).put("eventTime", cause.eventTimeMillis());
        return read(event.toString());
    }

    /** The token's event with the node its pod runs on, as a v1.30+ API server would have put in user.extra. */
    private static AuditEvent withNode(AuditEvent e, String node) {
        AuditEvent copy = read(write(e));
        Map<String, List<String>> extra = new LinkedHashMap<>(e.user.extra() == null ? Map.of() : e.user.extra());
        extra.put(Identity.CLAIM_NODE_NAME, List.of(node));
        copy.user = new UserInfo(e.user.username(), e.user.uid(), e.user.groups(), extra);
        return copy;
    }

    private static PodRecord podByName(ExpiringState state, String ns, String name) {
        return pod(state, ns, state.get(NAME + ns + "|" + name));
    }

    private static PodRecord pod(ExpiringState state, String ns, String uid) {
        String stored = uid == null ? null : state.get(POD + ns + "|" + uid);
        return stored == null ? null : PodRecord.decode(stored);
    }

    private static boolean isPodLifecycle(AuditEvent e) {
        Integer code = e.responseCode();
        if (!"pods".equals(e.resource()) || code == null || code >= 300 || !"ResponseComplete".equals(e.stage)) {
            return false;
        }
        String sub = e.subresource();
        return sub == null && ("create".equals(e.verb) || "delete".equals(e.verb))
                || "binding".equals(sub) && "create".equals(e.verb)
                || "ephemeralcontainers".equals(sub);
    }

    private void updatePods(AuditEvent e, ExpiringState state, Consumer<AuditEvent> forward) {
        String ns = e.namespace();
        String sub = e.subresource();
        if ("binding".equals(sub)) {
            String node = e.requestObject == null ? null : e.requestObject.path("target").path("name").asText(null);
            String name = e.objectName();
            if (node == null || name == null) {
                return;
            }
            String uid = state.get(NAME + ns + "|" + name);
            PodRecord pod = pod(state, ns, uid);
            if (pod == null) {
                // Bound but never seen created: its spec is unknown.
                putPod(state, ns, "name:" + name, new PodRecord(name, node, false, Set.of()), FOREVER, e, forward);
            } else {
                putPod(state, ns, uid, pod.withNode(node), FOREVER, e, forward);
            }
            return;
        }
        JsonNode pod = podObject(e);
        if ("delete".equals(e.verb)) {
            delete(e, pod, state, forward);
            return;
        }
        String name = pod != null ? pod.path("metadata").path("name").asText(e.objectName()) : e.objectName();
        if (name == null) {
            return;
        }
        String uid = pod != null && pod.path("metadata").hasNonNull("uid") ? pod.path("metadata").path("uid").asText()
                : "name:" + name;
        String node = pod == null ? null : pod.path("spec").path("nodeName").asText(null);
        if (node == null) {
            String previousUid = state.get(NAME + ns + "|" + name);
            PodRecord previous = "ephemeralcontainers".equals(e.subresource()) || uid.equals(previousUid)
                    ? pod(state, ns, previousUid) : null;
            node = previous == null ? null : previous.node();
        }
        boolean specKnown = pod != null && pod.has("spec");
        Set<String> refs = specKnown ? new TreeSet<>(PodRefs.of(pod)) : Set.of();
        String daemonSet = pod == null ? null : PodRefs.daemonSet(pod);
        if (specKnown && daemonSet != null) {
            refs.add(PodRefs.DAEMON_SET + "/" + daemonSet);
        }
        putPod(state, ns, uid, new PodRecord(name, node, specKnown, refs), FOREVER, e, forward);
    }

    /**
     * A graceful delete leaves the pod terminating (still entitled); the final delete (by its kubelet, or with
     * grace period 0) removes it after the recently-related window.
     */
    private void delete(AuditEvent e, JsonNode pod, ExpiringState state, Consumer<AuditEvent> forward) {
        boolean immediate = e.identity().isNode()
                || e.requestObject != null && e.requestObject.path("gracePeriodSeconds").asLong(-1) == 0;
        if (!immediate) {
            return;
        }
        String ns = e.namespace();
        String uid = pod != null && pod.path("metadata").hasNonNull("uid") ? pod.path("metadata").path("uid").asText()
                : state.get(NAME + ns + "|" + e.objectName());
        String stored = uid == null ? null : state.get(POD + ns + "|" + uid);
        if (stored == null) {
            return;
        }
        putPod(state, ns, uid, PodRecord.decode(stored), e.eventTimeMillis() + recentlyRelatedMillis, e, forward);
    }

    private static JsonNode podObject(AuditEvent e) {
        for (JsonNode candidate : new JsonNode[] {e.responseObject, e.requestObject}) {
            if (candidate != null && "Pod".equals(candidate.path("kind").asText())) {
                return candidate;
            }
        }
        return null;
    }

    /**
     * A pod's reference, under its node so that one node's references are one range. A pod no node runs yet has
     * none stored: it makes an object related to no node, and one that only such pods reference is unknown
     * either way (a verdict needs pods on some node).
     */
    private static String refKey(String ns, String ref, String node, String uid) {
        return REF + ns + "|" + ref + "|" + node + "|" + uid;
    }

    /**
     * Writes a pod, its name index, its references and its blind marker, all expiring together; the claims it
     * uses on its node go to the cluster-scoped partition, where the PVs are.
     */
    private static void putPod(ExpiringState state, String ns, String uid, PodRecord pod, long expiresAt,
                               AuditEvent cause, Consumer<AuditEvent> forward) {
        // What the put replaces is the old record, whose references and blind marker go.
        String previous = state.put(POD + ns + "|" + uid, pod.encode(), expiresAt);
        PodRecord old = previous == null ? null : PodRecord.decode(previous);
        if (old != null && old.node() != null) {
            for (String ref : old.refs()) {
                state.delete(refKey(ns, ref, old.node(), uid));
            }
            deleteIfPresent(state, BLIND + old.node() + "|" + ns + "|" + uid);
        }
        // A pod's final delete can be logged after its name's reuse (API servers interleave): the name then stays
        // with the newer pod. A live pod takes its name whoever had it.
        String named = expiresAt == FOREVER ? null : state.get(NAME + ns + "|" + pod.name());
        if (named == null || named.equals(uid)) {
            state.put(NAME + ns + "|" + pod.name(), uid, expiresAt);
        }
        if (pod.node() == null) {
            return;
        }
        // A DaemonSet pod's references say which DaemonSet, so that a verdict can tell whether the node may run one.
        String daemonSet = pod.refs().stream().filter(ref -> ref.startsWith(DAEMON_SET_REF)).findFirst()
                .map(ref -> "|" + ref.substring(DAEMON_SET_REF.length())).orElse("");
        for (String ref : pod.refs()) {
            state.put(refKey(ns, ref, pod.node(), uid), ref.startsWith(DAEMON_SET_REF) ? pod.node() : pod.node() + daemonSet,
                    expiresAt);
            if (ref.startsWith(PodRefs.PVC + "/")) {
                forward.accept(claimUse(ns, ref.substring(PodRefs.PVC.length() + 1), uid, pod.node(), expiresAt, cause));
            }
        }
        if (pod.specKnown()) {
            // Learned at last: the node's kubelet touching it before no longer keeps the node blind.
            deleteIfPresent(state, BLIND + pod.node() + "|" + ns + "|name:" + pod.name());
        } else {
            state.put(BLIND + pod.node() + "|" + ns + "|" + uid, "", expiresAt);
        }
    }

    /**
     * For keys that are seldom there (blind markers): live, a delete writes a tombstone to RocksDB and to the
     * changelog whether or not the key exists, and a read costs less.
     */
    private static void deleteIfPresent(ExpiringState state, String key) {
        if (state.get(key) != null) {
            state.delete(key);
        }
    }

    private void count(String node, Relation.Kind kind) {
        String verdict = kind.name().toLowerCase(java.util.Locale.ROOT);
        // The coverage gauge per node: many "unknown" means the audit policy or the snapshot is too thin.
        Tally tally = coverage.computeIfAbsent(node + "|" + verdict,
                key -> new Tally(new LongAdder(), Metrics.counter(COVERAGE_METRIC, "node", node, "verdict", verdict)));
        tally.count().increment();
        tally.metric().increment();
    }

    /** Adds the alert of {@code rule} on {@code e} unless the rule, as tuned now, is disabled or excepts it. */
    private void raise(List<Alert> alerts, RuleDefinition rule, AuditEvent e, Target target, Relation relation) {
        AnalysisRule tuned = tuning.tuned(rule);
        if (tuned.firesOn(e)) {
            alerts.add(alert(rule, tuned.definition(), e, target, relation));
        }
    }

    /** The alert of {@code rule} (the built-in one, whose logic it explains) as {@code tuned} describes it. */
    private Alert alert(RuleDefinition rule, RuleDefinition tuned, AuditEvent e, Target target, Relation relation) {
        String id = RequestKey.digest(rule.id() + "|" + RequestKey.of(e), 32);
        String node = e.identity().node();
        String object = target.describe(e.namespace());
        String who = e.identity().isNode() ? "the kubelet of node " + node
                : "a pod token bound to node " + node + " (" + e.username()
                        + (e.identity().pod() == null ? "" : ", pod " + e.identity().pod()) + ")";
        String others = relation == null || relation.otherNodes().isEmpty() ? ""
                : VOLUMES.containsValue(target.kind())
                ? " It is attached only to " + String.join(", ", relation.otherNodes()) + "."
                : " Only pods on " + String.join(", ", relation.otherNodes()) + " reference it.";
        String summary;
        String explanation;
        if (rule == NodeRules.DENIED) {
            summary = "node " + node + " denied " + e.verb + " " + object;
            explanation = (relation == null
                    ? "The kubelet of node " + node + " asked for every " + target.kind() + " in " + e.namespace()
                            + " (" + e.verb + " without a name) and was denied. Kubelets ask for the objects of their own pods by name;"
                    : relation.kind() == Relation.Kind.UNKNOWN
                    ? "The kubelet of node " + node + " was denied " + e.verb + " on " + object + ", its "
                            + PROBE_DISTINCT_OBJECTS + "th distinct denied object in " + e.namespace() + " within "
                            + PROBE_WINDOW_MILLIS / 60_000 + " minutes, none of them used by its pods as far as the graph knows."
                            + " A kubelet asks for what its pods mount;"
                    : "The kubelet of node " + node + " was denied " + e.verb + " on " + object + "." + others
                            + " A kubelet has no reason to ask for another node's objects;")
                    + " this is what a stolen node credential probing for secrets looks like. Check the node for compromise.";
        } else {
            summary = (e.identity().isNode() ? "node " : "node-bound token on ") + node + " " + e.verb + " " + object;
            explanation = "Event-time grace of " + graceMillis / 1000 + " s passed and the access stands: " + who
                    + " was allowed to " + e.verb + " " + object + ", which no pod on " + node + " references." + others
                    + " An attacker who escaped a pod onto " + node + " holds this credential; reaching objects of pods"
                    + " on other nodes is lateral movement. If this is an agent that legitimately reads cluster-wide,"
                    + " add an exception for it." + authorizerSaid(e);
        }
        return Alerts.single(tuned, e, id, summary, explanation);
    }

    /**
     * What the API server's authorizer said, for triage: the Node authorizer allows with an empty reason, and only
     * what its own graph relates to the node, so an empty reason points at a pod this graph never saw; RBAC names
     * the binding that let the credential through.
     */
    private static String authorizerSaid(AuditEvent e) {
        String reason = e.annotation(AuditEvent.REASON_ANNOTATION);
        if (reason == null || !e.identity().isNode()) {
            return reason == null || reason.isEmpty() ? "" : " The API server allowed it by " + reason + ".";
        }
        return reason.isEmpty()
                ? " The API server allowed it with an empty reason, as its Node authorizer allows what it relates to the"
                        + " node: check first whether the node runs a pod that predates the audit stream (run"
                        + " `auditwatch snapshot`), then the node."
                : " The API server allowed it by " + reason + ", not by its Node authorizer: the node's credential"
                        + " reaches beyond what the Node authorizer grants.";
    }

    /** The object a node credential touched, as the graph names it. */
    record Target(String kind, String name, String podUid) {
        static Target of(AuditEvent e) {
            String kind = KINDS.containsKey(e.resource()) ? KINDS.get(e.resource()) : VOLUMES.get(e.resource());
            return new Target(kind, e.selectedName(), "pod".equals(kind) ? podUid(e) : null);
        }

        /** Which pod of that name: status updates and deletes say, and a StatefulSet reuses names. */
        private static String podUid(AuditEvent e) {
            if (e.objectRef.uid() != null && !e.objectRef.uid().isEmpty()) {
                return e.objectRef.uid();
            }
            JsonNode pod = podObject(e);
            if (pod != null && pod.path("metadata").hasNonNull("uid")) {
                return pod.path("metadata").path("uid").asText();
            }
            return e.requestObject == null ? null : e.requestObject.path("preconditions").path("uid").asText(null);
        }

        String describe(String ns) {
            return kind + " " + (ns == null ? "" : ns + "/") + (name == null ? "*" : name);
        }
    }

    private static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    static <T> T read(String json, Class<T> type) {
        try {
            return JSON.readValue(json, type);
        } catch (JsonProcessingException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static AuditEvent read(String json) {
        return read(json, AuditEvent.class);
    }
}
