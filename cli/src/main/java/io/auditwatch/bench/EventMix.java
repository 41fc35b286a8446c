package io.auditwatch.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditwatch.event.AuditEventReader;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * A deterministic stream of audit events shaped like a real cluster's: for a seed, the same events in the same
 * order. Most are reads by controllers and kubelets at Metadata level; pods are created, bound and deleted at
 * RequestResponse level (so the node graph knows what each node may read); kubelets read what their pods
 * mount; about 1% are attack-shaped (exec, port-forward, a person reading a secret, anonymous access, a kubelet
 * reading another node's secret). Some requests are logged at two stages, as API servers do, so dedup works.
 */
public final class EventMix {
    /** The event time of the first event: fixed, so that a run is reproducible to the byte. */
    public static final long START_MILLIS = Instant.parse("2026-11-21T00:00:00Z").toEpochMilli();
    public static final int NAMESPACES = 20;
    public static final int APPS_PER_NAMESPACE = 10;

    private static final ObjectMapper JSON = AuditEventReader.mapper();
    private static final String[] CONTROLLERS = {"replicaset-controller", "deployment-controller",
        "endpointslice-controller", "daemon-set-controller", "statefulset-controller", "job-controller",
        "namespace-controller", "garbage-collector", "horizontal-pod-autoscaler", "resourcequota-controller"};
    private static final String[] CONTROLLER_RESOURCES = {"pods", "replicasets", "deployments", "endpointslices",
        "configmaps", "services", "statefulsets", "jobs", "events", "leases"};
    private static final String[] READ_VERBS = {"get", "list", "watch"};
    private static final String[] PEOPLE = {"alice@example.com", "bob@example.com", "carol@example.com",
        "dave@example.com", "erin@example.com"};
    /** The simulated API servers: each writes its own audit log. */
    public static final int API_SERVERS = 3;
    private static final String[] API_SERVER_IPS = {"10.0.0.11", "10.0.0.12", "10.0.0.13"};

    /** One produced record: the bytes, its request, and whether it is an attack that alerts at once. */
    public record Generated(byte[] json, String auditID, boolean promptAttack, int apiServer) {
    }

    private record Pod(String namespace, String name, String uid, String app, String node) {
    }

    private final Random random;
    private final int nodes;
    private final int pods;
    private final long microsPerEvent;
    private final List<Pod> live = new ArrayList<>();
    private final Deque<Generated> queued = new ArrayDeque<>();
    private long micros;
    private long resourceVersion = 100_000;

    /**
     * @param nodes          nodes of the simulated cluster
     * @param pods           pods it runs (created, with their bindings, first; then they churn)
     * @param eventsPerSecond how fast event time moves: one event every 1/rate s
     */
    public EventMix(long seed, int nodes, int pods, int eventsPerSecond) {
        this.random = new Random(seed);
        this.nodes = nodes;
        this.pods = pods;
        this.microsPerEvent = Math.max(1, 1_000_000 / eventsPerSecond);
        this.micros = START_MILLIS * 1000;
    }

    /** The next event. */
    public Generated next() {
        if (queued.isEmpty()) {
            if (live.size() < pods) {
                createPod();
            } else {
                pick();
            }
        }
        micros += microsPerEvent;
        return queued.poll();
    }

    /** Whether every pod of the cluster has been created and bound (they come first). */
    public boolean populated() {
        return live.size() >= pods && queued.isEmpty();
    }

    private void pick() {
        int dice = random.nextInt(1000);
        if (dice < 350) {
            controllerRead();
        } else if (dice < 550) {
            kubeletRoutine();
        } else if (dice < 750) {
            kubeletReadsMount();
        } else if (dice < 890) {
            personRead();
        } else if (dice < 940) {
            createPod();
        } else if (dice < 990) {
            deletePod();
        } else {
            attack(dice - 990);
        }
    }

    private void controllerRead() {
        String controller = CONTROLLERS[random.nextInt(CONTROLLERS.length)];
        String resource = CONTROLLER_RESOURCES[random.nextInt(CONTROLLER_RESOURCES.length)];
        String verb = READ_VERBS[random.nextInt(READ_VERBS.length)];
        String ns = namespace(random.nextInt(NAMESPACES));
        String name = "get".equals(verb) ? "app-" + random.nextInt(APPS_PER_NAMESPACE) : null;
        ObjectNode user = serviceAccount("kube-system", controller);
        request(metadata(verb, uri(resource, ns, name, null, "watch".equals(verb)), user, API_SERVER_IPS[0],
                "kube-controller-manager/v1.31.2 (linux/amd64) kubernetes/5864a46/system:serviceaccount:kube-system:"
                        + controller, ref(resource, ns, name, null), 200,
                "RBAC: allowed by ClusterRoleBinding \"system:controller:" + controller + "\" of ClusterRole \"system:controller:"
                        + controller + "\" to ServiceAccount \"" + controller + "/kube-system\""), false);
    }

    private void kubeletRoutine() {
        String node = node(random.nextInt(nodes));
        int what = random.nextInt(3);
        if (what == 0) {
            request(metadata("update", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/" + node + "?timeout=10s",
                    kubelet(node), nodeIp(node), kubeletAgent(), ref("leases", "kube-node-lease", node, null), 200, ""), false);
        } else if (what == 1) {
            request(metadata("get", "/api/v1/nodes/" + node + "?resourceVersion=0&timeout=10s", kubelet(node), nodeIp(node),
                    kubeletAgent(), ref("nodes", null, node, null), 200, ""), false);
        } else if (!live.isEmpty()) {
            Pod pod = live.get(random.nextInt(live.size()));
            request(metadata("patch", "/api/v1/namespaces/" + pod.namespace + "/pods/" + pod.name + "/status",
                    kubelet(pod.node), nodeIp(pod.node), kubeletAgent(), ref("pods", pod.namespace, pod.name, "status"), 200, ""), false);
        }
    }

    /** A kubelet fetching a secret or configmap that one of its pods mounts: related, never an alert. */
    private void kubeletReadsMount() {
        if (live.isEmpty()) {
            return;
        }
        Pod pod = live.get(random.nextInt(live.size()));
        boolean secret = random.nextBoolean();
        String resource = secret ? "secrets" : "configmaps";
        String name = pod.app + (secret ? "-credentials" : "-config");
        String verb = random.nextBoolean() ? "get" : "watch";
        request(metadata(verb, uri(resource, pod.namespace, name, null, "watch".equals(verb)), kubelet(pod.node),
                nodeIp(pod.node), kubeletAgent(), ref(resource, pod.namespace, name, null), 200, ""), false);
    }

    private void personRead() {
        String person = PEOPLE[random.nextInt(PEOPLE.length)];
        String resource = random.nextBoolean() ? "deployments" : "pods";
        String ns = namespace(random.nextInt(NAMESPACES));
        String verb = random.nextBoolean() ? "list" : "get";
        String name = "get".equals(verb) ? "app-" + random.nextInt(APPS_PER_NAMESPACE) : null;
        request(metadata(verb, uri(resource, ns, name, null, false), human(person), "203.0.113." + (10 + random.nextInt(40)),
                "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", ref(resource, ns, name, null), 200,
                "RBAC: allowed by RoleBinding \"developers/" + ns + "\" of ClusterRole \"view\" to Group \"developers\""), false);
    }

    private void createPod() {
        int app = random.nextInt(APPS_PER_NAMESPACE);
        String ns = namespace(random.nextInt(NAMESPACES));
        String appName = "app-" + app;
        Pod pod = new Pod(ns, appName + "-" + Long.toString(random.nextLong() >>> 28, 36), uuid(), appName,
                node(random.nextInt(nodes)));
        ObjectNode spec = podSpec(pod);
        ObjectNode requestObject = JSON.createObjectNode().put("kind", "Pod").put("apiVersion", "v1");
        requestObject.putObject("metadata").put("generateName", appName + "-").put("namespace", ns)
                .putObject("labels").put("app", appName);
        requestObject.set("spec", spec);
        ObjectNode responseObject = requestObject.deepCopy();
        ((ObjectNode) responseObject.get("metadata")).put("name", pod.name).put("uid", pod.uid)
                .put("resourceVersion", Long.toString(resourceVersion++));
        String controller = "replicaset-controller";
        ObjectNode create = event("RequestResponse", "create", "/api/v1/namespaces/" + ns + "/pods",
                serviceAccount("kube-system", controller), API_SERVER_IPS[0],
                "kube-controller-manager/v1.31.2 (linux/amd64) kubernetes/5864a46/system:serviceaccount:kube-system:" + controller,
                ref("pods", ns, null, null), 201, "RBAC: allowed by ClusterRoleBinding \"system:controller:" + controller + "\"");
        create.set("requestObject", requestObject);
        create.set("responseObject", responseObject);
        request(create, false);

        ObjectNode binding = event("RequestResponse", "create", "/api/v1/namespaces/" + ns + "/pods/" + pod.name + "/binding",
                user("system:kube-scheduler"), API_SERVER_IPS[1], "kube-scheduler/v1.31.2 (linux/amd64) kubernetes/5864a46/scheduler",
                ref("pods", ns, pod.name, "binding"), 201, "RBAC: allowed by ClusterRoleBinding \"system:kube-scheduler\"");
        ObjectNode target = binding.putObject("requestObject").put("kind", "Binding").put("apiVersion", "v1");
        target.putObject("metadata").put("name", pod.name).put("namespace", ns).put("uid", pod.uid);
        target.putObject("target").put("kind", "Node").put("name", pod.node);
        request(binding, false);
        live.add(pod);
    }

    private ObjectNode podSpec(Pod pod) {
        ObjectNode spec = JSON.createObjectNode().put("serviceAccountName", pod.app);
        ArrayNode volumes = spec.putArray("volumes");
        volumes.addObject().put("name", "credentials").putObject("secret").put("secretName", pod.app + "-credentials")
                .put("defaultMode", 420);
        volumes.addObject().put("name", "config").putObject("configMap").put("name", pod.app + "-config").put("defaultMode", 420);
        ObjectNode container = spec.putArray("containers").addObject().put("name", pod.app)
                .put("image", "registry.example.com/" + pod.namespace + "/" + pod.app + ":1." + random.nextInt(30) + ".0");
        container.putArray("ports").addObject().put("containerPort", 8080).put("protocol", "TCP");
        container.putObject("resources").putObject("requests").put("cpu", "100m").put("memory", "128Mi");
        ArrayNode mounts = container.putArray("volumeMounts");
        mounts.addObject().put("name", "credentials").put("readOnly", true).put("mountPath", "/etc/credentials");
        mounts.addObject().put("name", "config").put("mountPath", "/etc/config");
        return spec;
    }

    private void deletePod() {
        if (live.size() <= pods / 2) {
            createPod();
            return;
        }
        Pod pod = live.remove(random.nextInt(live.size()));
        ObjectNode delete = event("RequestResponse", "delete", "/api/v1/namespaces/" + pod.namespace + "/pods/" + pod.name,
                serviceAccount("kube-system", "replicaset-controller"), API_SERVER_IPS[2],
                "kube-controller-manager/v1.31.2 (linux/amd64) kubernetes/5864a46", ref("pods", pod.namespace, pod.name, null), 200,
                "RBAC: allowed by ClusterRoleBinding \"system:controller:replicaset-controller\"");
        ObjectNode status = delete.putObject("responseObject").put("kind", "Pod").put("apiVersion", "v1");
        status.putObject("metadata").put("name", pod.name).put("namespace", pod.namespace).put("uid", pod.uid);
        status.putObject("spec").put("nodeName", pod.node);
        request(delete, false);
    }

    private void attack(int which) {
        if (live.isEmpty()) {
            return;
        }
        Pod pod = live.get(random.nextInt(live.size()));
        // Many attackers, so that per-identity alert memory does not fold the attacks into a few alerts.
        ObjectNode attacker = human("intruder-" + random.nextInt(100_000) + "@example.com");
        String ip = "198.51.100." + random.nextInt(250);
        String agent = "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46";
        switch (which % 5) {
            case 0 -> request(metadata("get", "/api/v1/namespaces/" + pod.namespace + "/pods/" + pod.name
                    + "/exec?command=%2Fbin%2Fsh&container=" + pod.app + "&stdin=true&stdout=true&tty=true", attacker, ip, agent,
                    ref("pods", pod.namespace, pod.name, "exec"), 101, ""), true);
            case 1 -> request(metadata("get", "/api/v1/namespaces/" + pod.namespace + "/pods/" + pod.name + "/portforward",
                    attacker, ip, agent, ref("pods", pod.namespace, pod.name, "portforward"), 101, ""), true);
            case 2 -> request(metadata("get", uri("secrets", pod.namespace, pod.app + "-credentials", null, false), attacker, ip,
                    agent, ref("secrets", pod.namespace, pod.app + "-credentials", null), 200, ""), true);
            case 3 -> request(metadata("list", "/api/v1/pods?limit=500", user("system:anonymous"), ip, "curl/8.5.0",
                    ref("pods", null, null, null), 200, ""), true);
            default -> {
                // A kubelet reading a secret that only pods on other nodes mount: judged after the grace window.
                int i = random.nextInt(nodes);
                String from = node(i).equals(pod.node) ? node((i + 1) % nodes) : node(i);
                request(metadata("get", uri("secrets", pod.namespace, pod.app + "-credentials", null, false), kubelet(from),
                        nodeIp(from), kubeletAgent(), ref("secrets", pod.namespace, pod.app + "-credentials", null), 200, ""), false);
            }
        }
    }

    /** Queues a request as the API server logs it: ResponseComplete, and for one in ten RequestReceived first. */
    private void request(ObjectNode complete, boolean promptAttack) {
        String auditID = complete.get("auditID").asText();
        int server = random.nextInt(API_SERVERS);
        if (random.nextInt(10) == 0) {
            ObjectNode received = complete.deepCopy();
            received.put("stage", "RequestReceived");
            received.remove(List.of("responseStatus", "responseObject", "annotations"));
            queued.add(new Generated(bytes(received), auditID, false, server));
        }
        queued.add(new Generated(bytes(complete), auditID, promptAttack, server));
    }

    private ObjectNode metadata(String verb, String uri, ObjectNode user, String sourceIp, String agent, ObjectNode ref,
                                int code, String reason) {
        return event("Metadata", verb, uri, user, sourceIp, agent, ref, code, reason);
    }

    private ObjectNode event(String level, String verb, String uri, ObjectNode user, String sourceIp, String agent,
                             ObjectNode ref, int code, String reason) {
        String ts = timestamp(micros);
        ObjectNode e = JSON.createObjectNode().put("kind", "Event").put("apiVersion", "audit.k8s.io/v1").put("level", level)
                .put("auditID", uuid()).put("stage", "ResponseComplete").put("requestURI", uri).put("verb", verb);
        e.set("user", user);
        e.putArray("sourceIPs").add(sourceIp);
        e.put("userAgent", agent);
        ref.put("apiVersion", "v1");
        e.set("objectRef", ref);
        e.putObject("responseStatus").put("code", code).putObject("metadata");
        e.put("requestReceivedTimestamp", ts).put("stageTimestamp", timestamp(micros + 3_000));
        ObjectNode annotations = e.putObject("annotations").put("authorization.k8s.io/decision", "allow")
                .put("authorization.k8s.io/reason", reason);
        if ("pods".equals(ref.path("resource").asText()) && "create".equals(verb)) {
            annotations.put("pod-security.kubernetes.io/enforce-policy", "baseline:latest");
        }
        return e;
    }

    private static ObjectNode ref(String resource, String namespace, String name, String subresource) {
        ObjectNode ref = JSON.createObjectNode().put("resource", resource);
        if (namespace != null) {
            ref.put("namespace", namespace);
        }
        if (name != null) {
            ref.put("name", name);
        }
        if (subresource != null) {
            ref.put("subresource", subresource);
        }
        return ref;
    }

    private static String uri(String resource, String namespace, String name, String subresource, boolean watch) {
        String group = switch (resource) {
            case "deployments", "replicasets", "statefulsets" -> "/apis/apps/v1";
            case "endpointslices" -> "/apis/discovery.k8s.io/v1";
            case "jobs" -> "/apis/batch/v1";
            case "leases" -> "/apis/coordination.k8s.io/v1";
            default -> "/api/v1";
        };
        String path = group + (namespace == null ? "" : "/namespaces/" + namespace) + "/" + resource
                + (name == null ? "" : "/" + name) + (subresource == null ? "" : "/" + subresource);
        return watch ? path + "?allowWatchBookmarks=true&resourceVersion=0&timeoutSeconds=412&watch=true" : path;
    }

    private ObjectNode serviceAccount(String namespace, String name) {
        ObjectNode user = user("system:serviceaccount:" + namespace + ":" + name);
        user.put("uid", uuid());
        user.putArray("groups").add("system:serviceaccounts").add("system:serviceaccounts:" + namespace).add("system:authenticated");
        user.putObject("extra").putArray("authentication.kubernetes.io/credential-id").add("JTI=" + uuid());
        return user;
    }

    private static ObjectNode kubelet(String node) {
        ObjectNode user = user("system:node:" + node);
        user.putArray("groups").add("system:nodes").add("system:authenticated");
        return user;
    }

    private ObjectNode human(String name) {
        ObjectNode user = user(name);
        user.put("uid", Long.toString(random.nextLong() >>> 4, 36));
        user.putArray("groups").add("developers").add("system:authenticated");
        return user;
    }

    private static ObjectNode user(String name) {
        return JSON.createObjectNode().put("username", name);
    }

    private static String kubeletAgent() {
        return "kubelet/v1.31.2 (linux/amd64) kubernetes/5864a46";
    }

    private static String timestamp(long micros) {
        return Instant.ofEpochSecond(micros / 1_000_000, micros % 1_000_000 * 1000).toString();
    }

    static String node(int i) {
        return "ip-10-1-" + (i / 250) + "-" + (i % 250) + ".ec2.internal";
    }

    private static String nodeIp(String node) {
        return node.substring(3, node.indexOf('.')).replace('-', '.');
    }

    static String namespace(int i) {
        return "team-" + i;
    }

    private String uuid() {
        return new UUID(random.nextLong(), random.nextLong()).toString();
    }

    private static byte[] bytes(ObjectNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a generated event", e);
        }
    }
}
