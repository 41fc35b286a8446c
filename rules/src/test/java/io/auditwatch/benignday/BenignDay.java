package io.auditwatch.benignday;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditwatch.event.AuditEventReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;

/**
 * A generated, deterministic day in the life of a 20-node cluster (replay-data/scenarios/benign-day/README.md):
 * kubelets and controllers doing their rounds, Helm installs, upgrades and an uninstall, an Argo CD controller
 * syncing, cert-manager renewing and injecting CA bundles, two kubeadm joins, a drain and a node delete, CronJobs,
 * people reading with kubectl, start-up 403 retries. A discrete-event simulation: every actor schedules its next
 * request, requests are written in the order the API servers log them (a long request's last stage when it ends),
 * and every pod a kubelet serves was created and bound (or is in the inventory snapshot) before the kubelet reads
 * what it mounts. Same seed, same bytes.
 */
public final class BenignDay {
    public static final long SEED = 20_261_123L;
    public static final Instant START = Instant.parse("2026-11-23T00:00:00Z");
    public static final String EVENTS = "events.jsonl";
    public static final String INVENTORY = "inventory.json";

    private static final long SEC = 1_000_000L;
    private static final long MIN = 60 * SEC;
    private static final long HOUR = 60 * MIN;
    private static final long DAY = 24 * HOUR;
    private static final ObjectMapper JSON = AuditEventReader.mapper();
    private static final String BUILD = "v1.31.2 (linux/amd64) kubernetes/5864a46";
    private static final String KUBELET_UA = "kubelet/" + BUILD;
    private static final String KCM_UA = "kube-controller-manager/" + BUILD + "/system:serviceaccount:kube-system:";
    private static final String SCHEDULER_UA = "kube-scheduler/" + BUILD + "/scheduler";
    private static final String HELM_UA = "Helm/3.16.2";
    private static final String KUBECTL_UA = "kubectl/v1.31.2 (darwin/arm64) kubernetes/5864a46";
    private static final String ARGO_UA = "argocd-application-controller/v2.13.1+af54ef8 (linux/amd64)";
    private static final String[] API_SERVERS = {"10.0.0.10", "10.0.0.11", "10.0.0.12"};
    private static final String BOOTSTRAP_USER = "system:bootstrap:07401b";
    /** Real PKCS#10 requests (openssl, P-256) with subject O=system:nodes, CN=system:node:NAME, one per joining node. */
    private static final Map<String, String> JOIN_CSRS = Map.of(
            "ip-10-0-2-44.ec2.internal", "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0KTUlJQkFUQ0JxUUlCQURCSE1SVXdFd1lEVlFRS0RBeHplWE4wWlcwNmJtOWtaWE14TGpBc0JnTlZCQU1NSlhONQpjM1JsYlRwdWIyUmxPbWx3TFRFd0xUQXRNaTAwTkM1bFl6SXVhVzUwWlhKdVlXd3dXVEFUQmdjcWhrak9QUUlCCkJnZ3Foa2pPUFFNQkJ3TkNBQVRCUktuSWxIcFYrMWd3aXV1WGlNdWlMejkvSTNVY1hLblFHRUl3RTJTUHFEMjEKZ0VMNUNsUUdabHM2eVJOZlFORTUvTitJay83bXpNam13djZrK09wb29BQXdDZ1lJS29aSXpqMEVBd0lEUndBdwpSQUlnTUgxMGVFQjZ1a0xMSkYwekVkcDRuU1YvTGF1bE9jNUpKTWoyT3ZkNER1c0NJQm5rSmUrbE9WMmd0dWd6ClZqb0pmdHkvcm5ZWlZDSnVaM09OSnFjZTBVZmgKLS0tLS1FTkQgQ0VSVElGSUNBVEUgUkVRVUVTVC0tLS0tCg==",
            "ip-10-0-3-58.ec2.internal", "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0KTUlJQkFqQ0JxUUlCQURCSE1SVXdFd1lEVlFRS0RBeHplWE4wWlcwNmJtOWtaWE14TGpBc0JnTlZCQU1NSlhONQpjM1JsYlRwdWIyUmxPbWx3TFRFd0xUQXRNeTAxT0M1bFl6SXVhVzUwWlhKdVlXd3dXVEFUQmdjcWhrak9QUUlCCkJnZ3Foa2pPUFFNQkJ3TkNBQVIzSEp4R3FFTFFYQ1VxTHdaRmtzNll2cGYvT0tXL242bDVacjdNWXMyeHhmWDAKYjljODVHRTZOZGx3RmduNVhVMVNEaXMwYkN3bTc0eUhudkI3WVYrb29BQXdDZ1lJS29aSXpqMEVBd0lEU0FBdwpSUUloQU9JV0ROT2QxalFlM2NDRHBvb084LzFIRFk1eE1PSTJucC9xbURWcndvVnJBaUJ3R0hUZUhIeEd4cFk0ClhRUDJFTEJXZjBpVWdHNktPU0NrN1BzQlFXUDhWZz09Ci0tLS0tRU5EIENFUlRJRklDQVRFIFJFUVVFU1QtLS0tLQo=");

    /** What a workload is: where its pods run, what they mount and which API calls their token makes. */
    private static final class App {
        final String namespace;
        final String name;
        final String kind;
        String serviceAccount;
        final String image;
        final List<String> secrets;
        final List<String> configMaps;
        final boolean hostNetwork;
        final boolean privileged;
        final List<String> hostPaths;
        final String agent;
        /** Collections the pods watch with their token: API path prefix, resource, whole cluster or own namespace. */
        final List<String[]> watches;
        final String uid;
        int replicas;
        String hash;
        boolean installed = true;

        App(String namespace, String name, String kind, int replicas, String image, List<String> secrets,
            List<String> configMaps, boolean hostNetwork, boolean privileged, List<String> hostPaths, String agent,
            List<String[]> watches, String uid, String hash) {
            this.namespace = namespace;
            this.name = name;
            this.kind = kind;
            this.replicas = replicas;
            this.serviceAccount = name;
            this.image = image;
            this.secrets = secrets;
            this.configMaps = configMaps;
            this.hostNetwork = hostNetwork;
            this.privileged = privileged;
            this.hostPaths = hostPaths;
            this.agent = agent;
            this.watches = watches;
            this.uid = uid;
            this.hash = hash;
        }

        boolean daemonSet() {
            return "DaemonSet".equals(kind);
        }
    }

    private static final class Node {
        final String name;
        final String ip;
        final String uid;
        final String podRange;
        final boolean controlPlane;
        boolean up = true;
        boolean schedulable = true;
        int nextPodAddress = 10;

        Node(String name, String ip, String uid, String podRange, boolean controlPlane) {
            this.name = name;
            this.ip = ip;
            this.uid = uid;
            this.podRange = podRange;
            this.controlPlane = controlPlane;
        }
    }

    private static final class Pod {
        final App app;
        final String name;
        final String uid;
        final Node node;
        final String ip;
        final String volume;
        String credentialId;
        /** Created and not yet deleted for good: its node may still touch what it mounts. */
        boolean live = true;
        /** Its containers run (a finished Job's pod stays, stopped, until its Job goes). */
        boolean running = true;

        Pod(App app, String name, String uid, Node node, String ip, String volume) {
            this.app = app;
            this.name = name;
            this.uid = uid;
            this.node = node;
            this.ip = ip;
            this.volume = volume;
        }
    }

    private record Task(long at, long order, Runnable run) {
    }

    private final Random random = new Random(SEED);
    private final PriorityQueue<Task> queue = new PriorityQueue<>(
            Comparator.comparingLong(Task::at).thenComparingLong(Task::order));
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final Map<String, App> apps = new LinkedHashMap<>();
    private final List<Pod> pods = new ArrayList<>();
    /** The kubelet watches running: node|resource|namespace|name. */
    private final Set<String> kubeletWatches = new HashSet<>();
    private final Map<String, Integer> helmRevisions = new LinkedHashMap<>();
    private final long start = START.getEpochSecond() * SEC;
    private BufferedWriter out;
    private long order;
    private long now;
    private long resourceVersion = 48_112_000;
    private long lines;

    /** Writes {@value #EVENTS} and {@value #INVENTORY} into {@code dir}; returns the number of event lines. */
    public static long generate(Path dir) throws IOException {
        Files.createDirectories(dir);
        BenignDay day = new BenignDay();
        try (BufferedWriter events = Files.newBufferedWriter(dir.resolve(EVENTS), StandardCharsets.UTF_8)) {
            day.out = events;
            day.build();
            Files.writeString(dir.resolve(INVENTORY), JSON.writerWithDefaultPrettyPrinter()
                    .writeValueAsString(day.inventory()), StandardCharsets.UTF_8);
            day.run();
        }
        return day.lines;
    }

    /** {@code java ... BenignDay DIR}: writes the day into DIR (target/benign-day by default). */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "target/benign-day");
        System.out.println(generate(dir) + " events written to " + dir.resolve(EVENTS));
    }

    // ---- the cluster at midnight ------------------------------------------------------------------------------

    private void build() {
        for (int i = 0; i < 3; i++) {
            addNode("ip-10-0-0-1" + i + ".ec2.internal", "10.0.0.1" + i, i, true);
        }
        int[][] workers = {{1, 17}, {1, 23}, {1, 31}, {1, 46}, {1, 52}, {1, 68}, {2, 11}, {2, 19}, {2, 27}, {2, 35},
            {2, 63}, {3, 12}, {3, 21}, {3, 39}, {3, 47}, {3, 70}};
        for (int i = 0; i < workers.length; i++) {
            int[] w = workers[i];
            addNode("ip-10-0-" + w[0] + "-" + w[1] + ".ec2.internal", "10.0." + w[0] + "." + w[1], 3 + i, false);
        }
        List<String[]> none = List.of();
        app("kube-system", "kube-proxy", "DaemonSet", 0, "registry.k8s.io/kube-proxy:v1.31.2", List.of(),
                List.of("kube-proxy"), true, true, List.of("/run/xtables.lock", "/lib/modules"), "kube-proxy/" + BUILD,
                watches(cluster("/apis/discovery.k8s.io/v1", "endpointslices"), cluster("/api/v1", "services")));
        app("kube-system", "calico-node", "DaemonSet", 0, "docker.io/calico/node:v3.28.2", List.of(),
                List.of("calico-config"), true, true, List.of("/var/run/calico", "/lib/modules", "/opt/cni/bin"),
                "calico-node/v3.28.2 (linux/amd64) go1.22.7",
                watches(cluster("/api/v1", "nodes"), cluster("/apis/networking.k8s.io/v1", "networkpolicies")));
        app("kube-system", "coredns", "Deployment", 2, "registry.k8s.io/coredns/coredns:v1.11.3", List.of(),
                List.of("coredns"), false, false, List.of(), "coredns/1.11.3 (linux/amd64) kubernetes/5864a46",
                watches(cluster("/apis/discovery.k8s.io/v1", "endpointslices"), cluster("/api/v1", "services"),
                        cluster("/api/v1", "namespaces")));
        app("kube-system", "metrics-server", "Deployment", 1, "registry.k8s.io/metrics-server/metrics-server:v0.7.2",
                List.of(), List.of(), false, false, List.of(), "metrics-server/v0.7.2 (linux/amd64)",
                watches(cluster("/api/v1", "nodes")));
        app("monitoring", "node-exporter", "DaemonSet", 0, "quay.io/prometheus/node-exporter:v1.8.2", List.of(),
                List.of(), true, false, List.of("/proc", "/sys", "/"), "", none);
        // A log shipper that enriches records with pod metadata: from the pod network of every node, all day.
        app("logging", "fluent-bit", "DaemonSet", 0, "cr.fluentbit.io/fluent/fluent-bit:3.1.9", List.of(),
                List.of("fluent-bit-config"), false, false, List.of("/var/log"), "fluent-bit/3.1.9",
                watches(cluster("/api/v1", "namespaces")));
        app("monitoring", "prometheus", "StatefulSet", 1, "quay.io/prometheus/prometheus:v2.55.1",
                List.of("prometheus-web-tls"), List.of("prometheus-config"), false, false, List.of(),
                "Prometheus/2.55.1", watches(cluster("/api/v1", "pods"), cluster("/api/v1", "endpoints"),
                        cluster("/api/v1", "services"), cluster("/api/v1", "nodes")));
        app("monitoring", "grafana", "Deployment", 1, "docker.io/grafana/grafana:11.3.0", List.of("grafana-admin"),
                List.of("grafana-ini"), false, false, List.of(), "", none);
        app("cert-manager", "cert-manager", "Deployment", 1, "quay.io/jetstack/cert-manager-controller:v1.16.1",
                List.of(), List.of(), false, false, List.of(), "cert-manager-certificates-issuing/v1.16.1 (linux/amd64) cert-manager/4a8b6c5d",
                watches(cluster("/apis/cert-manager.io/v1", "certificates"),
                        cluster("/apis/cert-manager.io/v1", "certificaterequests"), cluster("/api/v1", "secrets"),
                        cluster("/apis/networking.k8s.io/v1", "ingresses")));
        app("cert-manager", "cert-manager-cainjector", "Deployment", 1, "quay.io/jetstack/cert-manager-cainjector:v1.16.1",
                List.of(), List.of(), false, false, List.of(), "cainjector/v1.16.1 (linux/amd64) cert-manager/4a8b6c5d",
                watches(cluster("/apis/admissionregistration.k8s.io/v1", "validatingwebhookconfigurations"),
                        cluster("/apis/admissionregistration.k8s.io/v1", "mutatingwebhookconfigurations"),
                        cluster("/apis/apiextensions.k8s.io/v1", "customresourcedefinitions")));
        app("cert-manager", "cert-manager-webhook", "Deployment", 1, "quay.io/jetstack/cert-manager-webhook:v1.16.1",
                List.of("cert-manager-webhook-ca"), List.of(), false, false, List.of(), "", none);
        app("ingress-nginx", "ingress-nginx-controller", "Deployment", 2, "registry.k8s.io/ingress-nginx/controller:v1.11.3",
                List.of("ingress-nginx-admission"), List.of("ingress-nginx-controller"), false, false, List.of(),
                "nginx-ingress-controller/v1.11.3 (linux/amd64) ingress-nginx/f9e4c1a0",
                watches(cluster("/apis/networking.k8s.io/v1", "ingresses"), cluster("/api/v1", "services"),
                        cluster("/apis/discovery.k8s.io/v1", "endpointslices"), cluster("/api/v1", "secrets")));
        app("argocd", "argocd-application-controller", "StatefulSet", 1, "quay.io/argoproj/argocd:v2.13.1", List.of(),
                List.of("argocd-cm"), false, false, List.of(), ARGO_UA,
                watches(cluster("/apis/apps/v1", "deployments"), cluster("/apis/apps/v1", "replicasets"),
                        cluster("/api/v1", "pods"), cluster("/api/v1", "services"), cluster("/api/v1", "configmaps"),
                        cluster("/api/v1", "secrets"), cluster("/apis/batch/v1", "cronjobs"),
                        cluster("/apis/rbac.authorization.k8s.io/v1", "roles"),
                        cluster("/apis/rbac.authorization.k8s.io/v1", "rolebindings"),
                        cluster("/apis/networking.k8s.io/v1", "ingresses"),
                        cluster("/apis/argoproj.io/v1alpha1", "applications")));
        app("argocd", "argocd-repo-server", "Deployment", 1, "quay.io/argoproj/argocd:v2.13.1", List.of(),
                List.of("argocd-cm"), false, false, List.of(), "", none);
        app("argocd", "argocd-server", "Deployment", 1, "quay.io/argoproj/argocd:v2.13.1", List.of("argocd-secret"),
                List.of("argocd-cm"), false, false, List.of(), "", none);
        app("shop", "web", "Deployment", 4, "registry.example.com/shop/web:4.12.0", List.of("web-tls"),
                List.of("web-config"), false, false, List.of(), "", none);
        app("shop", "cart", "Deployment", 3, "registry.example.com/shop/cart:2.7.1", List.of("cart-db"),
                List.of("cart-config"), false, false, List.of(), "", none);
        app("shop", "checkout", "Deployment", 3, "registry.example.com/shop/checkout:3.3.0", List.of("checkout-db"),
                List.of("checkout-config"), false, false, List.of(), "", none);
        app("payments", "payments-api", "Deployment", 3, "registry.example.com/payments/api:8.1.4",
                List.of("payments-db", "payments-psp-key"), List.of("payments-config"), false, false, List.of(), "", none);
        app("payments", "payments-worker", "Deployment", 2, "registry.example.com/payments/worker:8.1.4",
                List.of("payments-db"), List.of("payments-config"), false, false, List.of(), "", none);
        app("batch", "cache-warmer", "Job", 0, "registry.example.com/batch/cache-warmer:1.4.0", List.of(),
                List.of("cache-warmer-config"), false, false, List.of(), "", none);
        app("batch", "nightly-report", "Job", 0, "registry.example.com/batch/report:5.0.2", List.of("report-smtp"),
                List.of(), false, false, List.of(), "", none);
        app("demo", "podinfo", "Deployment", 0, "ghcr.io/stefanprodan/podinfo:6.7.1", List.of(), List.of(), false,
                false, List.of(), "", none).installed = false;
        app("external-dns", "external-dns", "Deployment", 0, "registry.k8s.io/external-dns/external-dns:v0.15.0",
                List.of(), List.of(), false, false, List.of(), "ExternalDNS/v0.15.0",
                watches(cluster("/api/v1", "services"), cluster("/apis/networking.k8s.io/v1", "ingresses"),
                        cluster("/api/v1", "nodes"), cluster("/api/v1", "pods"))).installed = false;
        helmRevisions.put("ingress-nginx/ingress-nginx", 11);
        helmRevisions.put("cert-manager/cert-manager", 6);

        for (App app : apps.values()) {
            if (!app.installed || "Job".equals(app.kind)) {
                continue;
            }
            if (app.daemonSet()) {
                nodes.values().forEach(n -> pods.add(newPod(app, n)));
            } else {
                for (int i = 0; i < app.replicas; i++) {
                    pods.add(newPod(app, pickNode()));
                }
            }
        }
        // Everything running at midnight starts its rounds at a random phase, as in a cluster that has been up for days.
        for (Pod pod : List.copyOf(pods)) {
            pod.credentialId = "JTI=" + uuid();
            at(start + (long) (random.nextDouble() * 40 * MIN), () -> refreshToken(pod));
            startKubeletWatches(pod, start + (long) (random.nextDouble() * 5 * MIN));
            startAppWatches(pod, start + (long) (random.nextDouble() * 5 * MIN));
        }
        nodes.values().forEach(n -> startKubelet(n, start + (long) (random.nextDouble() * 5 * MIN)));
        startControlPlane();
        schedule();
    }

    private static String[] cluster(String prefix, String resource) {
        return new String[] {prefix, resource};
    }

    private static List<String[]> watches(String[]... collections) {
        return List.of(collections);
    }

    private App app(String namespace, String name, String kind, int replicas, String image, List<String> secrets,
                    List<String> configMaps, boolean hostNetwork, boolean privileged, List<String> hostPaths,
                    String agent, List<String[]> watches) {
        App app = new App(namespace, name, kind, replicas, image, secrets, configMaps, hostNetwork, privileged,
                hostPaths, agent, watches, uuid(), hash());
        apps.put(namespace + "/" + name, app);
        return app;
    }

    private Node addNode(String name, String ip, int index, boolean controlPlane) {
        Node node = new Node(name, ip, uuid(), "10.244." + index + ".", controlPlane);
        nodes.put(name, node);
        return node;
    }

    private Pod newPod(App app, Node node) {
        String name = switch (app.kind) {
            case "DaemonSet" -> app.name + "-" + suffix(5);
            case "StatefulSet" -> app.name + "-0";
            case "Job" -> app.name + "-" + (now / SEC / 60) + "-" + suffix(5);
            default -> app.name + "-" + app.hash + "-" + suffix(5);
        };
        String ip = app.hostNetwork ? node.ip : node.podRange + node.nextPodAddress++;
        if (node.nextPodAddress > 250) {
            node.nextPodAddress = 10;
        }
        return new Pod(app, name, uuid(), node, ip, "kube-api-access-" + suffix(5));
    }

    private Node pickNode() {
        List<Node> workers = nodes.values().stream().filter(n -> n.up && n.schedulable && !n.controlPlane).toList();
        return workers.get(random.nextInt(workers.size()));
    }

    // ---- the day's schedule -----------------------------------------------------------------------------------

    private void schedule() {
        App cacheWarmer = apps.get("batch/cache-warmer");
        for (long t = start + 15 * MIN; t < start + DAY; t += 15 * MIN) {
            long when = t + 2 * SEC;
            at(when, () -> cronJobRun(cacheWarmer, 40 + random.nextInt(50)));
        }
        at(start + HOUR + 2 * SEC, () -> cronJobRun(apps.get("batch/nightly-report"), 300));
        at(start + 2 * HOUR + 10 * MIN, this::apiServerRestart);
        at(start + 4 * HOUR + 20 * MIN, () -> certificateRenewal("shop", "web-tls"));
        at(start + 6 * HOUR + 5 * MIN, this::caRotation);
        at(start + 9 * HOUR, () -> helmInstallPodinfo());
        at(start + 9 * HOUR + 30 * MIN, () -> kubeadmJoin("ip-10-0-2-44.ec2.internal", "10.0.2.44", 19));
        at(start + 10 * HOUR + 15 * MIN, this::helmInstallExternalDns);
        at(start + 10 * HOUR + 40 * MIN, () -> argoSync("shop", apps.get("shop/web"), false));
        at(start + 11 * HOUR, this::helmUpgradeIngressNginx);
        at(start + 11 * HOUR + 30 * MIN, () -> argoSync("batch", null, true));
        at(start + 13 * HOUR, () -> helmUpgradePodinfo());
        at(start + 13 * HOUR + 10 * MIN, () -> argoSync("payments", apps.get("payments/payments-api"), true));
        at(start + 14 * HOUR, () -> drain("ip-10-0-1-23.ec2.internal"));
        at(start + 15 * HOUR + 20 * MIN, () -> argoSync("shop", apps.get("shop/web"), false));
        at(start + 15 * HOUR + 30 * MIN, this::helmUpgradeCertManager);
        at(start + 16 * HOUR + 10 * MIN, () -> kubeadmJoin("ip-10-0-3-58.ec2.internal", "10.0.3.58", 20));
        at(start + 17 * HOUR + 45 * MIN, this::helmUninstallPodinfo);
        at(start + 11 * HOUR + 12 * MIN, () -> exec("carol@example.com", "shop", "cart", "sh"));
        at(start + 15 * HOUR + 48 * MIN, () -> exec("carol@example.com", "payments", "payments-worker",
                "cat /tmp/healthy"));
        for (long t = start + 8 * HOUR; t < start + 18 * HOUR; t += 20 * MIN + (long) (random.nextDouble() * 30 * MIN)) {
            long when = t;
            at(when, () -> developerSession("bob@example.com", List.of("shop", "payments")));
        }
        for (long t = start + 7 * HOUR; t < start + 19 * HOUR; t += 45 * MIN + (long) (random.nextDouble() * 45 * MIN)) {
            long when = t;
            at(when, () -> developerSession("carol@example.com", List.of("kube-system", "ingress-nginx", "monitoring",
                    "shop", "cert-manager")));
        }
        at(start + 10 * HOUR + 2 * MIN, () -> deniedPeek("dave@example.com"));
        at(start + 16 * HOUR + 31 * MIN, () -> deniedPeek("dave@example.com"));
        // Anonymous health and version checks: the load balancer and the blackbox exporter.
        for (int server = 0; server < API_SERVERS.length; server++) {
            every(start + (long) (random.nextDouble() * 30 * SEC), 30 * SEC, 30 * SEC, () -> true, () -> anonymous(
                    "/readyz", "10.0.0.5", "ELB-HealthChecker/2.0"));
        }
        every(start + 7 * SEC, MIN, MIN, () -> true, () -> anonymous("/version", "10.244.4.12",
                "Go-http-client/1.1"));
        every(start + 13 * SEC, 3 * MIN, 3 * MIN, () -> true, this::argoRefresh);
    }

    // ---- simulation core --------------------------------------------------------------------------------------

    private void at(long when, Runnable run) {
        queue.add(new Task(when, order++, run));
    }

    private void every(long first, long min, long max, BooleanSupplier alive, Runnable run) {
        at(first, () -> {
            if (!alive.getAsBoolean()) {
                return;
            }
            run.run();
            every(now + min + (long) (random.nextDouble() * (max - min)), min, max, alive, run);
        });
    }

    private void run() {
        long end = start + DAY;
        while (!queue.isEmpty()) {
            Task task = queue.poll();
            if (task.at() >= end) {
                break;
            }
            now = task.at();
            task.run().run();
        }
    }

    // ---- kubelets ---------------------------------------------------------------------------------------------

    private void startKubelet(Node node, long first) {
        BooleanSupplier up = () -> node.up;
        every(first, 5 * MIN - 5 * SEC, 5 * MIN + 5 * SEC, up, () -> {
            request(metadata("get", "/api/v1/nodes/" + node.name + "?resourceVersion=0&timeout=10s", kubelet(node),
                    node.ip, KUBELET_UA, ref("nodes", null, node.name, null, "v1")), 200, "");
            request(metadata("patch", "/api/v1/nodes/" + node.name + "/status?timeout=10s", kubelet(node), node.ip,
                    KUBELET_UA, ref("nodes", null, node.name, "status", "v1")), 200, "");
        });
        kubeletWatch(node, "/api/v1/pods", "pods", null, null, "spec.nodeName%3D" + node.name, first + SEC);
        kubeletWatch(node, "/api/v1/nodes", "nodes", null, node.name, "metadata.name%3D" + node.name, first + 2 * SEC);
        kubeletWatch(node, "/api/v1/services", "services", null, null, null, first + 3 * SEC);
        kubeletWatch(node, "/apis/storage.k8s.io/v1/csidrivers", "csidrivers", null, null, null, first + 4 * SEC);
    }

    /** A kubelet's node-level watch, restarted when the server ends it, for as long as the node is up. */
    private void kubeletWatch(Node node, String path, String resource, String namespace, String name, String field,
                              long first) {
        String group = path.startsWith("/apis/") ? path.split("/")[2] : null;
        every(first, 5 * MIN, 10 * MIN, () -> node.up, () -> {
            long timeout = 5 * 60 + random.nextInt(300);
            String uri = path + "?allowWatchBookmarks=true" + (field == null ? "" : "&fieldSelector=" + field)
                    + "&resourceVersion=" + resourceVersion++ + "&timeout=" + (timeout / 60) + "m" + (timeout % 60)
                    + "s&timeoutSeconds=" + timeout + "&watch=true";
            watch(metadata("watch", uri, kubelet(node), node.ip, KUBELET_UA,
                    ref(resource, namespace, name, null, "v1", group)), timeout * SEC, "");
        });
    }

    /** The kubelet's watches of the secrets and configmaps that its pods mount; one per object and node. */
    private void startKubeletWatches(Pod pod, long first) {
        List<String[]> objects = new ArrayList<>();
        pod.app.secrets.forEach(s -> objects.add(new String[] {"secrets", s}));
        pod.app.configMaps.forEach(c -> objects.add(new String[] {"configmaps", c}));
        objects.add(new String[] {"configmaps", "kube-root-ca.crt"});
        for (String[] o : objects) {
            String key = pod.node.name + "|" + o[0] + "|" + pod.app.namespace + "|" + o[1];
            if (!kubeletWatches.add(key)) {
                continue;
            }
            BooleanSupplier referenced = () -> {
                boolean still = pod.node.up && pods.stream().anyMatch(p -> p.running && p.node == pod.node
                        && p.app.namespace.equals(pod.app.namespace) && mounts(p.app, o[0], o[1]));
                if (!still) {
                    kubeletWatches.remove(key);
                }
                return still;
            };
            every(first + random.nextInt(900) * 1000L, 5 * MIN, 10 * MIN, referenced, () -> {
                long timeout = 5 * 60 + random.nextInt(300);
                String uri = "/api/v1/namespaces/" + pod.app.namespace + "/" + o[0]
                        + "?allowWatchBookmarks=true&fieldSelector=metadata.name%3D" + o[1] + "&resourceVersion="
                        + resourceVersion++ + "&timeout=" + (timeout / 60) + "m" + (timeout % 60) + "s&timeoutSeconds="
                        + timeout + "&watch=true";
                watch(metadata("watch", uri, kubelet(pod.node), pod.node.ip, KUBELET_UA,
                        ref(o[0], pod.app.namespace, o[1], null, "v1")), timeout * SEC, "");
            });
        }
    }

    private static boolean mounts(App app, String resource, String name) {
        return "configmaps".equals(resource) && ("kube-root-ca.crt".equals(name) || app.configMaps.contains(name))
                || "secrets".equals(resource) && app.secrets.contains(name);
    }

    /** The kubelet renews each pod's projected token at 80% of its hour; the pod uses the new one from then. */
    private void refreshToken(Pod pod) {
        if (!pod.running || !pod.node.up) {
            return;
        }
        String credential = "JTI=" + uuid();
        ObjectNode e = metadata("create", "/api/v1/namespaces/" + pod.app.namespace + "/serviceaccounts/"
                + pod.app.serviceAccount + "/token", kubelet(pod.node), pod.node.ip, KUBELET_UA,
                ref("serviceaccounts", pod.app.namespace, pod.app.serviceAccount, "token", "v1"));
        ((ObjectNode) e.get("objectRef")).put("uid", pod.app.uid);
        complete(e, 201, "allow", "", Map.of("authentication.kubernetes.io/issued-credential-id", credential));
        pod.credentialId = credential;
        at(now + 48 * MIN + random.nextInt(60) * SEC, () -> refreshToken(pod));
    }

    // ---- pods: create, bind, start, stop ----------------------------------------------------------------------

    /** A controller creates a pod, the scheduler binds it, its kubelet starts it. */
    private Pod createPod(App app, Node node, String controller) {
        Pod pod = newPod(app, node);
        ObjectNode spec = podSpec(pod, false);
        ObjectNode requested = JSON.createObjectNode().put("kind", "Pod").put("apiVersion", "v1");
        ObjectNode meta = requested.putObject("metadata");
        if ("StatefulSet".equals(app.kind)) {
            meta.put("name", pod.name);
        } else {
            meta.put("generateName", pod.name.substring(0, pod.name.lastIndexOf('-') + 1));
        }
        meta.put("namespace", app.namespace).putObject("labels").put("app.kubernetes.io/name", app.name);
        meta.putArray("ownerReferences").addObject().put("apiVersion", ownerApi(app)).put("kind", ownerKind(app))
                .put("name", ownerName(app)).put("uid", app.uid).put("controller", true).put("blockOwnerDeletion", true);
        if (app.daemonSet()) {
            spec.putObject("affinity").putObject("nodeAffinity").putObject("requiredDuringSchedulingIgnoredDuringExecution")
                    .putArray("nodeSelectorTerms").addObject().putArray("matchFields").addObject()
                    .put("key", "metadata.name").put("operator", "In").putArray("values").add(node.name);
        }
        requested.set("spec", spec);
        ObjectNode stored = requested.deepCopy();
        ObjectNode storedMeta = (ObjectNode) stored.get("metadata");
        storedMeta.put("name", pod.name).put("uid", pod.uid).put("resourceVersion", Long.toString(resourceVersion++))
                .put("creationTimestamp", timestamp(now).substring(0, 19) + "Z");
        stored.set("spec", podSpec(pod, true));
        if (app.daemonSet()) {
            ((ObjectNode) stored.get("spec")).set("affinity", spec.get("affinity").deepCopy());
        }
        stored.putObject("status").put("phase", "Pending").put("qosClass", "Burstable");
        ObjectNode create = event("RequestResponse", "create", "/api/v1/namespaces/" + app.namespace + "/pods",
                controllerAccount(controller), API_SERVERS[0], KCM_UA + controller, ref("pods", app.namespace, null, null, "v1"));
        create.set("requestObject", requested);
        create.set("responseObject", stored);
        complete(create, 201, "allow", rbacReason(controller), Map.of("pod-security.kubernetes.io/enforce-policy",
                app.privileged || !app.hostPaths.isEmpty() ? "privileged:latest" : "baseline:latest"));
        pods.add(pod);
        long bindAt = now + 15_000 + random.nextInt(40_000);
        at(bindAt, () -> bind(pod));
        return pod;
    }

    private void bind(Pod pod) {
        ObjectNode binding = event("RequestResponse", "create", "/api/v1/namespaces/" + pod.app.namespace + "/pods/"
                + pod.name + "/binding", user("system:kube-scheduler", "system:authenticated"), API_SERVERS[1],
                SCHEDULER_UA, ref("pods", pod.app.namespace, pod.name, "binding", "v1"));
        ObjectNode body = binding.putObject("requestObject").put("kind", "Binding").put("apiVersion", "v1");
        body.putObject("metadata").put("name", pod.name).put("namespace", pod.app.namespace).put("uid", pod.uid);
        body.putObject("target").put("kind", "Node").put("name", pod.node.name);
        binding.putObject("responseObject").put("kind", "Status").put("apiVersion", "v1").put("status", "Success")
                .put("code", 201).putObject("metadata");
        complete(binding, 201, "allow", "RBAC: allowed by ClusterRoleBinding \"system:kube-scheduler\" of ClusterRole "
                + "\"system:kube-scheduler\" to User \"system:kube-scheduler\"", Map.of());
        at(now + 400_000 + random.nextInt(1_500_000), () -> startPod(pod));
    }

    /**
     * The kubelet starts a bound pod: a token for its service account, the objects it mounts (one time in 25 the
     * Node authorizer has not seen the binding yet and refuses the first read: a start-up 403, retried a second
     * later), its status.
     */
    private void startPod(Pod pod) {
        if (!pod.live || !pod.node.up) {
            return;
        }
        refreshToken(pod);
        List<String[]> objects = new ArrayList<>();
        pod.app.configMaps.forEach(c -> objects.add(new String[] {"configmaps", c}));
        pod.app.secrets.forEach(s -> objects.add(new String[] {"secrets", s}));
        objects.add(new String[] {"configmaps", "kube-root-ca.crt"});
        boolean early = random.nextInt(25) == 0;
        for (String[] o : objects) {
            String uri = "/api/v1/namespaces/" + pod.app.namespace + "/" + o[0] + "?fieldSelector=metadata.name%3D"
                    + o[1] + "&limit=500&resourceVersion=0";
            ObjectNode list = metadata("list", uri, kubelet(pod.node), pod.node.ip, KUBELET_UA,
                    ref(o[0], pod.app.namespace, o[1], null, "v1"));
            if (early) {
                String why = "no relationship found between node '" + pod.node.name + "' and this object";
                deny(list, o[0] + " \"" + o[1] + "\" is forbidden: User \"system:node:" + pod.node.name
                        + "\" cannot list resource \"" + o[0] + "\" in API group \"\" in the namespace \""
                        + pod.app.namespace + "\": " + why, why, o[0]);
                early = false;
                long retry = now + SEC + random.nextInt(200_000);
                ObjectNode again = list.deepCopy();
                at(retry, () -> request(retarget(again), 200, ""));
            } else {
                request(list, 200, "");
            }
        }
        startKubeletWatches(pod, now + 2 * SEC);
        request(metadata("patch", "/api/v1/namespaces/" + pod.app.namespace + "/pods/" + pod.name + "/status",
                kubelet(pod.node), pod.node.ip, KUBELET_UA, ref("pods", pod.app.namespace, pod.name, "status", "v1")),
                200, "");
        endpointSliceUpdate(pod.app);
        startAppWatches(pod, now + 3 * SEC);
    }

    /** A copy of a logged request as a new request: its own auditID, at the current time. */
    private ObjectNode retarget(ObjectNode e) {
        ObjectNode copy = e.deepCopy();
        copy.put("auditID", uuid());
        copy.remove(List.of("responseStatus", "annotations"));
        return copy;
    }

    /** What a pod's own token does: the informers of agents and controllers, each watch restarted by the server. */
    private void startAppWatches(Pod pod, long first) {
        if (pod.app.watches.isEmpty()) {
            return;
        }
        for (String[] w : pod.app.watches) {
            every(first + random.nextInt(60) * SEC, 5 * MIN, 10 * MIN, () -> pod.running && pod.node.up, () -> {
                long timeout = 5 * 60 + random.nextInt(300);
                String uri = w[0] + "/" + w[1] + "?allowWatchBookmarks=true&resourceVersion=" + resourceVersion++
                        + "&timeout=" + (timeout / 60) + "m" + (timeout % 60) + "s&timeoutSeconds=" + timeout + "&watch=true";
                ObjectNode e = metadata("watch", uri, podAccount(pod), pod.ip, pod.app.agent,
                        ref(w[1], null, null, null, w[0].substring(w[0].lastIndexOf('/') + 1)));
                if (w[0].startsWith("/apis/")) {
                    ((ObjectNode) e.get("objectRef")).put("apiGroup", w[0].split("/")[2]);
                }
                watch(e, timeout * SEC, "RBAC: allowed by ClusterRoleBinding \"" + pod.app.name + "\" of ClusterRole \""
                        + pod.app.name + "\" to ServiceAccount \"" + pod.app.serviceAccount + "/" + pod.app.namespace + "\"");
            });
        }
    }

    /** A controller (or an eviction) deletes a pod gracefully; its kubelet stops it and deletes it for good. */
    private void deletePod(Pod pod, ObjectNode by, String ip, String agent, String reason) {
        ObjectNode delete = event("RequestResponse", "delete", "/api/v1/namespaces/" + pod.app.namespace + "/pods/"
                + pod.name, by, ip, agent, ref("pods", pod.app.namespace, pod.name, null, "v1"));
        delete.putObject("requestObject").put("kind", "DeleteOptions").put("apiVersion", "v1")
                .put("propagationPolicy", "Background");
        delete.set("responseObject", terminating(pod, 30));
        complete(delete, 200, "allow", reason, Map.of());
        at(now + 2 * SEC + random.nextInt(20) * SEC, () -> kubeletFinalDelete(pod));
    }

    private void kubeletFinalDelete(Pod pod) {
        if (!pod.live) {
            return;
        }
        if (pod.node.up) {
            request(metadata("patch", "/api/v1/namespaces/" + pod.app.namespace + "/pods/" + pod.name + "/status",
                    kubelet(pod.node), pod.node.ip, KUBELET_UA, ref("pods", pod.app.namespace, pod.name, "status", "v1")),
                    200, "");
        }
        ObjectNode delete = event("RequestResponse", "delete", "/api/v1/namespaces/" + pod.app.namespace + "/pods/"
                + pod.name, kubelet(pod.node), pod.node.ip, KUBELET_UA, ref("pods", pod.app.namespace, pod.name, null, "v1"));
        delete.putObject("requestObject").put("kind", "DeleteOptions").put("apiVersion", "v1").put("gracePeriodSeconds", 0)
                .putObject("preconditions").put("uid", pod.uid);
        delete.set("responseObject", terminating(pod, 0));
        complete(delete, 200, "allow", "", Map.of());
        gone(pod);
        endpointSliceUpdate(pod.app);
    }

    private void gone(Pod pod) {
        pod.live = false;
        pod.running = false;
        pods.remove(pod);
    }

    private ObjectNode terminating(Pod pod, int grace) {
        ObjectNode pod0 = JSON.createObjectNode().put("kind", "Pod").put("apiVersion", "v1");
        pod0.putObject("metadata").put("name", pod.name).put("namespace", pod.app.namespace).put("uid", pod.uid)
                .put("resourceVersion", Long.toString(resourceVersion++))
                .put("deletionTimestamp", timestamp(now + grace * SEC).substring(0, 19) + "Z")
                .put("deletionGracePeriodSeconds", grace);
        pod0.set("spec", podSpec(pod, true));
        pod0.putObject("status").put("phase", "Running").put("podIP", pod.ip).put("hostIP", pod.node.ip);
        return pod0;
    }

    private ObjectNode podSpec(Pod pod, boolean stored) {
        App app = pod.app;
        ObjectNode spec = JSON.createObjectNode().put("serviceAccountName", app.serviceAccount);
        if (stored) {
            spec.put("serviceAccount", app.serviceAccount).put("nodeName", pod.node.name);
        }
        if (app.hostNetwork) {
            spec.put("hostNetwork", true).put("dnsPolicy", "ClusterFirstWithHostNet");
        }
        if ("Job".equals(app.kind)) {
            spec.put("restartPolicy", "OnFailure");
        }
        ArrayNode volumes = spec.putArray("volumes");
        ObjectNode container = JSON.createObjectNode().put("name", app.name).put("image", app.image);
        ArrayNode mounts = container.putArray("volumeMounts");
        for (String s : app.secrets) {
            volumes.addObject().put("name", s).putObject("secret").put("secretName", s).put("defaultMode", 420);
            mounts.addObject().put("name", s).put("readOnly", true).put("mountPath", "/etc/secrets/" + s);
        }
        for (String c : app.configMaps) {
            volumes.addObject().put("name", c).putObject("configMap").put("name", c).put("defaultMode", 420);
            mounts.addObject().put("name", c).put("mountPath", "/etc/" + c);
        }
        for (int i = 0; i < app.hostPaths.size(); i++) {
            volumes.addObject().put("name", "host-" + i).putObject("hostPath").put("path", app.hostPaths.get(i)).put("type", "");
            mounts.addObject().put("name", "host-" + i).put("readOnly", true).put("mountPath", "/host" + app.hostPaths.get(i));
        }
        if ("cache-warmer".equals(app.name)) {
            // An ordinary CronJob that calls an in-cluster service with curl.
            container.putArray("command").add("/bin/sh").add("-c")
                    .add("curl -fsS -X POST http://cart.shop.svc.cluster.local:8080/internal/cache/warm");
        }
        if (app.privileged) {
            container.putObject("securityContext").put("privileged", true);
        }
        container.putObject("resources").putObject("requests").put("cpu", "100m").put("memory", "128Mi");
        if (stored) {
            ObjectNode projected = volumes.addObject().put("name", pod.volume).putObject("projected");
            ArrayNode sources = projected.putArray("sources");
            sources.addObject().putObject("serviceAccountToken").put("expirationSeconds", 3607).put("path", "token");
            sources.addObject().putObject("configMap").put("name", "kube-root-ca.crt").putArray("items").addObject()
                    .put("key", "ca.crt").put("path", "ca.crt");
            projected.put("defaultMode", 420);
            mounts.addObject().put("name", pod.volume).put("readOnly", true)
                    .put("mountPath", "/var/run/secrets/kubernetes.io/serviceaccount");
            spec.putArray("tolerations").addObject().put("key", "node.kubernetes.io/not-ready").put("operator", "Exists")
                    .put("effect", "NoExecute").put("tolerationSeconds", 300);
        }
        spec.putArray("containers").add(container);
        return spec;
    }

    private static String ownerKind(App app) {
        return switch (app.kind) {
            case "Deployment" -> "ReplicaSet";
            default -> app.kind;
        };
    }

    private static String ownerApi(App app) {
        return "Job".equals(app.kind) ? "batch/v1" : "apps/v1";
    }

    private static String ownerName(App app) {
        return "Deployment".equals(app.kind) ? app.name + "-" + app.hash : app.name;
    }

    private String controllerFor(App app) {
        return switch (app.kind) {
            case "DaemonSet" -> "daemon-set-controller";
            case "StatefulSet" -> "statefulset-controller";
            case "Job" -> "job-controller";
            default -> "replicaset-controller";
        };
    }

    private void endpointSliceUpdate(App app) {
        if (app.daemonSet() || "Job".equals(app.kind)) {
            return;
        }
        request(metadata("update", "/apis/discovery.k8s.io/v1/namespaces/" + app.namespace + "/endpointslices/"
                + app.name + "-" + suffix(5), controllerAccount("endpointslice-controller"), API_SERVERS[0],
                KCM_UA + "endpointslice-controller", ref("endpointslices", app.namespace, app.name + "-x7k2p", null,
                        "v1", "discovery.k8s.io")), 200, rbacReason("endpointslice-controller"));
    }

    // ---- control plane ----------------------------------------------------------------------------------------

    private static final String[][] CONTROLLER_WATCHES = {
        {"replicaset-controller", "/apis/apps/v1", "replicasets"}, {"replicaset-controller", "/api/v1", "pods"},
        {"deployment-controller", "/apis/apps/v1", "deployments"}, {"daemon-set-controller", "/apis/apps/v1", "daemonsets"},
        {"daemon-set-controller", "/apis/apps/v1", "controllerrevisions"}, {"statefulset-controller", "/apis/apps/v1", "statefulsets"},
        {"job-controller", "/apis/batch/v1", "jobs"}, {"cronjob-controller", "/apis/batch/v1", "cronjobs"},
        {"endpointslice-controller", "/apis/discovery.k8s.io/v1", "endpointslices"},
        {"endpointslice-controller", "/api/v1", "services"}, {"namespace-controller", "/api/v1", "namespaces"},
        {"node-controller", "/api/v1", "nodes"}, {"generic-garbage-collector", "/apis/apps/v1", "replicasets"},
        {"generic-garbage-collector", "/api/v1", "pods"}, {"generic-garbage-collector", "/apis/batch/v1", "jobs"},
        {"resourcequota-controller", "/api/v1", "resourcequotas"}, {"persistent-volume-binder", "/api/v1", "persistentvolumeclaims"},
        {"persistent-volume-binder", "/api/v1", "persistentvolumes"}, {"service-account-controller", "/api/v1", "serviceaccounts"},
        {"root-ca-cert-publisher", "/api/v1", "configmaps"}, {"horizontal-pod-autoscaler", "/apis/autoscaling/v2", "horizontalpodautoscalers"},
        {"disruption-controller", "/apis/policy/v1", "poddisruptionbudgets"}, {"pod-garbage-collector", "/api/v1", "pods"},
        {"certificate-controller", "/apis/certificates.k8s.io/v1", "certificatesigningrequests"},
        {"clusterrole-aggregation-controller", "/apis/rbac.authorization.k8s.io/v1", "clusterroles"},
        {"ttl-after-finished-controller", "/apis/batch/v1", "jobs"}, {"attachdetach-controller", "/apis/storage.k8s.io/v1", "volumeattachments"}};
    private static final String[] SCHEDULER_WATCHES = {"pods", "nodes", "persistentvolumeclaims", "persistentvolumes",
        "services", "replicationcontrollers", "namespaces"};

    private void startControlPlane() {
        for (String[] w : CONTROLLER_WATCHES) {
            every(start + random.nextInt(300) * SEC, 5 * MIN, 10 * MIN, () -> true, () -> {
                long timeout = 5 * 60 + random.nextInt(300);
                String uri = w[1] + "/" + w[2] + "?allowWatchBookmarks=true&resourceVersion=" + resourceVersion++
                        + "&timeout=" + (timeout / 60) + "m" + (timeout % 60) + "s&timeoutSeconds=" + timeout + "&watch=true";
                ObjectNode e = metadata("watch", uri, controllerAccount(w[0]), API_SERVERS[0], KCM_UA + w[0],
                        ref(w[2], null, null, null, "v1"));
                if (w[1].startsWith("/apis/")) {
                    ((ObjectNode) e.get("objectRef")).put("apiGroup", w[1].split("/")[2]);
                }
                watch(e, timeout * SEC, rbacReason(w[0]));
            });
        }
        for (String resource : SCHEDULER_WATCHES) {
            every(start + random.nextInt(300) * SEC, 5 * MIN, 10 * MIN, () -> true, () -> {
                long timeout = 5 * 60 + random.nextInt(300);
                watch(metadata("watch", "/api/v1/" + resource + "?allowWatchBookmarks=true&resourceVersion="
                        + resourceVersion++ + "&timeoutSeconds=" + timeout + "&watch=true",
                        user("system:kube-scheduler", "system:authenticated"), API_SERVERS[1], SCHEDULER_UA,
                        ref(resource, null, null, null, "v1")), timeout * SEC,
                        "RBAC: allowed by ClusterRoleBinding \"system:kube-scheduler\" of ClusterRole \"system:kube-scheduler\""
                                + " to User \"system:kube-scheduler\"");
            });
        }
        // The controller manager mints the tokens its controllers use (--use-service-account-credentials).
        for (String controller : List.of("replicaset-controller", "deployment-controller", "daemon-set-controller",
                "job-controller", "cronjob-controller", "endpointslice-controller", "namespace-controller",
                "generic-garbage-collector", "pod-garbage-collector", "certificate-controller", "node-controller")) {
            every(start + random.nextInt(3600) * SEC, HOUR, HOUR, () -> true, () -> complete(metadata("create",
                    "/api/v1/namespaces/kube-system/serviceaccounts/" + controller + "/token",
                    user("system:kube-controller-manager", "system:authenticated"), API_SERVERS[0],
                    "kube-controller-manager/" + BUILD + "/leader-election",
                    ref("serviceaccounts", "kube-system", controller, "token", "v1")), 201, "allow",
                    "RBAC: allowed by ClusterRoleBinding \"system:kube-controller-manager\" of ClusterRole "
                            + "\"system:kube-controller-manager\" to User \"system:kube-controller-manager\"",
                    Map.of("authentication.kubernetes.io/issued-credential-id", "JTI=" + uuid())));
        }
        // ReplicaSet and Deployment status writes: the steady hum of controllers reconciling.
        every(start + 20 * SEC, 20 * SEC, 60 * SEC, () -> true, () -> {
            List<App> workloads = apps.values().stream().filter(a -> a.installed && "Deployment".equals(a.kind)).toList();
            App app = workloads.get(random.nextInt(workloads.size()));
            String controller = random.nextBoolean() ? "replicaset-controller" : "deployment-controller";
            String resource = controller.startsWith("replicaset") ? "replicasets" : "deployments";
            String name = resource.equals("replicasets") ? app.name + "-" + app.hash : app.name;
            request(metadata("update", "/apis/apps/v1/namespaces/" + app.namespace + "/" + resource + "/" + name
                    + "/status", controllerAccount(controller), API_SERVERS[0], KCM_UA + controller,
                    ref(resource, app.namespace, name, "status", "v1", "apps")), 200, rbacReason(controller));
        });
    }

    /**
     * One API server restarts (a control-plane certificate rotation) and its clients reconnect: kubelets and
     * controllers re-list what they watch, and for a few seconds the Node authorizer of the new server has not
     * loaded its graph: a kubelet or two are refused an object of their own pods (a start-up 403) and retry.
     */
    private void apiServerRestart() {
        List<Pod> sample = pods.stream().filter(p -> p.live && !p.app.daemonSet()).limit(6).toList();
        for (Pod pod : sample) {
            String cm = pod.app.configMaps.isEmpty() ? "kube-root-ca.crt" : pod.app.configMaps.get(0);
            String uri = "/api/v1/namespaces/" + pod.app.namespace + "/configmaps?fieldSelector=metadata.name%3D" + cm
                    + "&limit=500&resourceVersion=0";
            ObjectNode list = metadata("list", uri, kubelet(pod.node), pod.node.ip, KUBELET_UA,
                    ref("configmaps", pod.app.namespace, cm, null, "v1"));
            ObjectNode retry = list.deepCopy();
            String why = "no relationship found between node '" + pod.node.name + "' and this object";
            deny(list, "configmaps \"" + cm + "\" is forbidden: User \"system:node:" + pod.node.name
                    + "\" cannot list resource \"configmaps\" in API group \"\" in the namespace \"" + pod.app.namespace
                    + "\": " + why, why, "configmaps");
            at(now + 2 * SEC, () -> request(retarget(retry), 200, ""));
        }
    }

    // ---- CronJobs ---------------------------------------------------------------------------------------------

    private record JobRun(String job, Pod pod) {
    }

    private final Map<String, List<JobRun>> jobHistory = new LinkedHashMap<>();

    /**
     * The CronJob controller creates a Job, the Job controller its pod, which runs to completion and stays; when
     * the history holds more than three Jobs the oldest goes, and the garbage collector deletes its pod.
     */
    private void cronJobRun(App app, int seconds) {
        String job = app.name + "-" + (now / SEC / 60);
        ObjectNode create = event("Request", "create", "/apis/batch/v1/namespaces/" + app.namespace + "/jobs",
                controllerAccount("cronjob-controller"), API_SERVERS[0], KCM_UA + "cronjob-controller",
                ref("jobs", app.namespace, null, null, "v1", "batch"));
        ObjectNode body = create.putObject("requestObject").put("kind", "Job").put("apiVersion", "batch/v1");
        body.putObject("metadata").put("name", job).put("namespace", app.namespace).putArray("ownerReferences").addObject()
                .put("apiVersion", "batch/v1").put("kind", "CronJob").put("name", app.name).put("uid", app.uid)
                .put("controller", true);
        body.putObject("spec").putObject("template").set("spec", podSpec(newPod(app, pickNode()), false));
        complete(create, 201, "allow", rbacReason("cronjob-controller"), Map.of());
        at(now + SEC, () -> {
            Pod pod = createPod(app, pickNode(), "job-controller");
            at(now + seconds * SEC, () -> {
                if (pod.node.up && pod.live) {
                    request(metadata("patch", "/api/v1/namespaces/" + app.namespace + "/pods/" + pod.name + "/status",
                            kubelet(pod.node), pod.node.ip, KUBELET_UA, ref("pods", app.namespace, pod.name, "status", "v1")),
                            200, "");
                }
                pod.running = false;
                request(metadata("update", "/apis/batch/v1/namespaces/" + app.namespace + "/jobs/" + job + "/status",
                        controllerAccount("job-controller"), API_SERVERS[0], KCM_UA + "job-controller",
                        ref("jobs", app.namespace, job, "status", "v1", "batch")), 200, rbacReason("job-controller"));
                List<JobRun> history = jobHistory.computeIfAbsent(app.name, k -> new ArrayList<>());
                history.add(new JobRun(job, pod));
                if (history.size() > 3) {
                    JobRun old = history.remove(0);
                    ObjectNode delete = event("Request", "delete", "/apis/batch/v1/namespaces/" + app.namespace + "/jobs/"
                            + old.job(), controllerAccount("cronjob-controller"), API_SERVERS[0], KCM_UA + "cronjob-controller",
                            ref("jobs", app.namespace, old.job(), null, "v1", "batch"));
                    delete.putObject("requestObject").put("kind", "DeleteOptions").put("apiVersion", "batch/v1")
                            .put("propagationPolicy", "Background");
                    complete(delete, 200, "allow", rbacReason("cronjob-controller"), Map.of());
                    if (old.pod().live) {
                        at(now + 2 * SEC, () -> deletePod(old.pod(), controllerAccount("generic-garbage-collector"),
                                API_SERVERS[0], KCM_UA + "generic-garbage-collector", rbacReason("generic-garbage-collector")));
                    }
                }
            });
        });
    }

    // ---- cert-manager -----------------------------------------------------------------------------------------

    /** A running pod of the app, or null while none runs (being rolled or moved by a drain). */
    private Pod podOf(String app) {
        return pods.stream().filter(p -> p.running && (p.app.namespace + "/" + p.app.name).equals(app)).findFirst()
                .orElse(null);
    }

    private void certificateRenewal(String namespace, String secret) {
        Pod cm = podOf("cert-manager/cert-manager");
        if (cm == null) {
            return;
        }
        ObjectNode request = event("Request", "create", "/apis/cert-manager.io/v1/namespaces/" + namespace
                + "/certificaterequests", podAccount(cm), cm.ip, cm.app.agent,
                ref("certificaterequests", namespace, null, null, "v1", "cert-manager.io"));
        complete(request, 201, "allow", "RBAC: allowed by ClusterRoleBinding \"cert-manager-controller-certificates\"", Map.of());
        at(now + 4 * SEC, () -> {
            request(metadata("update", "/api/v1/namespaces/" + namespace + "/secrets/" + secret, podAccount(cm), cm.ip,
                    cm.app.agent, ref("secrets", namespace, secret, null, "v1")), 200,
                    "RBAC: allowed by ClusterRoleBinding \"cert-manager-controller-certificates\"");
            request(metadata("patch", "/apis/cert-manager.io/v1/namespaces/" + namespace + "/certificates/" + secret
                    + "/status?fieldManager=cert-manager-certificates-issuing&force=true", podAccount(cm), cm.ip,
                    cm.app.agent, ref("certificates", namespace, secret, "status", "v1", "cert-manager.io")), 200,
                    "RBAC: allowed by ClusterRoleBinding \"cert-manager-controller-certificates\"");
        });
    }

    /** The webhook's CA is re-issued; cainjector writes the new bundle into every configuration that asks for it. */
    private void caRotation() {
        Pod cm = podOf("cert-manager/cert-manager");
        if (cm == null) {
            return;
        }
        request(metadata("update", "/api/v1/namespaces/cert-manager/secrets/cert-manager-webhook-ca", podAccount(cm),
                cm.ip, "cert-manager-webhook/v1.16.1 (linux/amd64) cert-manager/4a8b6c5d",
                ref("secrets", "cert-manager", "cert-manager-webhook-ca", null, "v1")), 200,
                "RBAC: allowed by RoleBinding \"cert-manager-webhook:dynamic-serving/cert-manager\"");
        at(now + 3 * SEC, this::injectCaBundles);
    }

    private void injectCaBundles() {
        Pod injector = podOf("cert-manager/cert-manager-cainjector");
        if (injector == null) {
            at(now + MIN, this::injectCaBundles);
            return;
        }
        for (String kind : List.of("validatingwebhookconfigurations", "mutatingwebhookconfigurations")) {
            String k = kind.startsWith("validating") ? "ValidatingWebhookConfiguration" : "MutatingWebhookConfiguration";
            ObjectNode patch = event("Request", "patch", "/apis/admissionregistration.k8s.io/v1/" + kind
                    + "/cert-manager-webhook?fieldManager=cert-manager-cainjector&force=true", podAccount(injector),
                    injector.ip, injector.app.agent, ref(kind, null, "cert-manager-webhook", null, "v1",
                            "admissionregistration.k8s.io"));
            ObjectNode body = patch.putObject("requestObject").put("apiVersion", "admissionregistration.k8s.io/v1")
                    .put("kind", k);
            body.putObject("metadata").put("name", "cert-manager-webhook");
            body.putArray("webhooks").addObject().put("name", "webhook.cert-manager.io").putObject("clientConfig")
                    .put("caBundle", "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJpekNDQVRDZ0F3SUJBZ0lRZG" + suffix(12));
            complete(patch, 200, "allow", "RBAC: allowed by ClusterRoleBinding \"cert-manager-cainjector\" of ClusterRole "
                    + "\"cert-manager-cainjector\" to ServiceAccount \"cert-manager-cainjector/cert-manager\"", Map.of());
        }
        for (String crd : List.of("certificates.cert-manager.io", "issuers.cert-manager.io")) {
            request(metadata("patch", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/" + crd
                    + "?fieldManager=cert-manager-cainjector&force=true", podAccount(injector), injector.ip,
                    injector.app.agent, ref("customresourcedefinitions", null, crd, null, "v1", "apiextensions.k8s.io")),
                    200, "RBAC: allowed by ClusterRoleBinding \"cert-manager-cainjector\"");
        }
    }

    // ---- Argo CD ----------------------------------------------------------------------------------------------

    private void argoRefresh() {
        Pod argo = podOf("argocd/argocd-application-controller");
        if (argo == null) {
            return;
        }
        String app = List.of("shop", "payments", "batch").get(random.nextInt(3));
        request(metadata("patch", "/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/" + app, podAccount(argo),
                argo.ip, ARGO_UA, ref("applications", "argocd", app, null, "v1alpha1", "argoproj.io")), 200,
                "RBAC: allowed by ClusterRoleBinding \"argocd-application-controller\"");
    }

    /**
     * A sync after a commit: a dry run of every changed object, then the apply (kubectl-style patches by the
     * controller's service account). A new image rolls the Deployment's pods; {@code rbac} also changes a Role
     * (and for batch, the CronJob's schedule).
     */
    private void argoSync(String appName, App rollout, boolean rbac) {
        Pod argo = podOf("argocd/argocd-application-controller");
        if (argo == null) {
            at(now + MIN, () -> argoSync(appName, rollout, rbac));
            return;
        }
        String reason = "RBAC: allowed by ClusterRoleBinding \"argocd-application-controller\" of ClusterRole "
                + "\"argocd-application-controller\" to ServiceAccount \"argocd-application-controller/argocd\"";
        List<ObjectNode> changes = new ArrayList<>();
        if (rbac) {
            String ns = appName;
            ObjectNode role = event("Request", "patch", "/apis/rbac.authorization.k8s.io/v1/namespaces/" + ns
                    + "/roles/" + appName + "-reader", podAccount(argo), argo.ip, ARGO_UA,
                    ref("roles", ns, appName + "-reader", null, "v1", "rbac.authorization.k8s.io"));
            ObjectNode body = role.putObject("requestObject");
            body.putObject("metadata").putObject("labels").put("app.kubernetes.io/instance", appName);
            body.putArray("rules").addObject().putArray("verbs").add("get").add("list").add("watch");
            changes.add(role);
        }
        if ("batch".equals(appName)) {
            ObjectNode cron = event("Request", "patch", "/apis/batch/v1/namespaces/batch/cronjobs/cache-warmer",
                    podAccount(argo), argo.ip, ARGO_UA, ref("cronjobs", "batch", "cache-warmer", null, "v1", "batch"));
            cron.putObject("requestObject").putObject("spec").put("schedule", "*/15 * * * *");
            changes.add(cron);
        }
        if (rollout != null) {
            rollout.hash = hash();
            ObjectNode deploy = event("Request", "patch", "/apis/apps/v1/namespaces/" + rollout.namespace + "/deployments/"
                    + rollout.name, podAccount(argo), argo.ip, ARGO_UA,
                    ref("deployments", rollout.namespace, rollout.name, null, "v1", "apps"));
            deploy.putObject("requestObject").putObject("spec").putObject("template").putObject("spec").putArray("containers")
                    .addObject().put("name", rollout.name).put("image", rollout.image.replaceAll(":[^:]+$", ":" + now / SEC % 97 + ".0"));
            changes.add(deploy);
        }
        for (ObjectNode change : changes) {
            ObjectNode dry = change.deepCopy();
            dry.put("auditID", uuid()).put("requestURI", change.get("requestURI").asText() + "?dryRun=All");
            complete(dry, 200, "allow", reason, Map.of());
        }
        at(now + 2 * SEC, () -> {
            for (ObjectNode change : changes) {
                complete(retarget(change), 200, "allow", reason, Map.of());
            }
            if (rollout != null) {
                rollOut(rollout);
            }
        });
    }

    /** The Deployment controller's new ReplicaSet replaces the pods one by one. */
    private void rollOut(App app) {
        request(metadata("create", "/apis/apps/v1/namespaces/" + app.namespace + "/replicasets",
                controllerAccount("deployment-controller"), API_SERVERS[0], KCM_UA + "deployment-controller",
                ref("replicasets", app.namespace, null, null, "v1", "apps")), 201, rbacReason("deployment-controller"));
        List<Pod> old = pods.stream().filter(p -> p.live && p.app == app).toList();
        long t = now + SEC;
        for (Pod pod : old) {
            at(t, () -> createPod(app, pickNode(), "replicaset-controller"));
            at(t + 20 * SEC, () -> deletePod(pod, controllerAccount("replicaset-controller"), API_SERVERS[0],
                    KCM_UA + "replicaset-controller", rbacReason("replicaset-controller")));
            t += 30 * SEC;
        }
    }

    // ---- Helm -------------------------------------------------------------------------------------------------

    private ObjectNode alice() {
        return person("alice@example.com", "platform-admins");
    }

    private void helmRequest(String verb, String uri, ObjectNode ref, int code) {
        ObjectNode e = metadata(verb, uri, alice(), "198.51.100.23", HELM_UA, ref);
        complete(e, code, "allow", "RBAC: allowed by ClusterRoleBinding \"platform-admins\" of ClusterRole "
                + "\"cluster-admin\" to Group \"platform-admins\"", Map.of());
    }

    /** Helm's discovery and its look at the release history: secrets labelled owner=helm. */
    private void helmPreamble(String namespace, String release, boolean allNamespaces) {
        helmRequest("get", "/version?timeout=32s", JSON.createObjectNode(), 200);
        helmRequest("get", "/api?timeout=32s", JSON.createObjectNode(), 200);
        helmRequest("get", "/apis?timeout=32s", JSON.createObjectNode(), 200);
        if (allNamespaces) {
            helmRequest("list", "/api/v1/secrets?labelSelector=owner%3Dhelm", ref("secrets", null, null, null, "v1"), 200);
        }
        helmRequest("list", "/api/v1/namespaces/" + namespace + "/secrets?labelSelector=name%3D" + release
                + "%2Cowner%3Dhelm", ref("secrets", namespace, null, null, "v1"), 200);
        helmRequest("list", "/api/v1/namespaces/" + namespace + "/secrets?labelSelector=name%3D" + release
                + "%2Cowner%3Dhelm%2Cstatus%3Ddeployed", ref("secrets", namespace, null, null, "v1"), 200);
    }

    private String releaseSecret(String release, int revision) {
        return "sh.helm.release.v1." + release + ".v" + revision;
    }

    /** A chart object as Helm 3 sends it: its labels and the release annotations that mark what Helm owns. */
    private ObjectNode chartObject(String apiVersion, String kind, String namespace, String name, String release,
                                   String hook) {
        ObjectNode o = JSON.createObjectNode().put("apiVersion", apiVersion).put("kind", kind);
        ObjectNode meta = o.putObject("metadata").put("name", name);
        if (namespace != null) {
            meta.put("namespace", namespace);
        }
        meta.putObject("labels").put("app.kubernetes.io/managed-by", "Helm").put("app.kubernetes.io/instance", release)
                .put("helm.sh/chart", release + "-1.0.0");
        ObjectNode annotations = meta.putObject("annotations");
        if (hook != null) {
            annotations.put("helm.sh/hook", hook).put("helm.sh/hook-delete-policy", "before-hook-creation,hook-succeeded");
        } else {
            annotations.put("meta.helm.sh/release-name", release).put("meta.helm.sh/release-namespace",
                    namespace == null ? release : namespace);
        }
        return o;
    }

    private void helmWrite(String verb, String path, String resource, String group, String namespace, String name,
                           ObjectNode body, int code) {
        String uri = path + (namespace == null ? "" : "/namespaces/" + namespace) + "/" + resource
                + ("create".equals(verb) ? "" : "/" + name) + ("create".equals(verb) ? "?fieldManager=helm" : "");
        ObjectNode e = event(body == null ? "Metadata" : "Request", verb, uri, alice(), "198.51.100.23", HELM_UA,
                ref(resource, namespace, name, null, "v1", group));
        if (body != null) {
            e.set("requestObject", body);
        }
        complete(e, code, "allow", "RBAC: allowed by ClusterRoleBinding \"platform-admins\" of ClusterRole "
                + "\"cluster-admin\" to Group \"platform-admins\"", Map.of());
    }

    private void helmInstallPodinfo() {
        App app = apps.get("demo/podinfo");
        helmPreamble("demo", "podinfo", true);
        helmRequest("create", "/api/v1/namespaces", ref("namespaces", null, "demo", null, "v1"), 201);
        helmRevisions.put("demo/podinfo", 1);
        helmRequest("create", "/api/v1/namespaces/demo/secrets", ref("secrets", "demo", releaseSecret("podinfo", 1),
                null, "v1"), 201);
        helmWrite("create", "/api/v1", "serviceaccounts", null, "demo", "podinfo",
                chartObject("v1", "ServiceAccount", "demo", "podinfo", "podinfo", null), 201);
        helmWrite("create", "/api/v1", "services", null, "demo", "podinfo", null, 201);
        ObjectNode deployment = chartObject("apps/v1", "Deployment", "demo", "podinfo", "podinfo", null);
        deployment.putObject("spec").put("replicas", 2);
        helmWrite("create", "/apis/apps/v1", "deployments", "apps", "demo", "podinfo", deployment, 201);
        ObjectNode ingress = chartObject("networking.k8s.io/v1", "Ingress", "demo", "podinfo", "podinfo", null);
        ingress.putObject("spec").putArray("tls").addObject().put("secretName", "podinfo-tls").putArray("hosts")
                .add("podinfo.example.com");
        helmWrite("create", "/apis/networking.k8s.io/v1", "ingresses", "networking.k8s.io", "demo", "podinfo", ingress, 201);
        helmRequest("update", "/api/v1/namespaces/demo/secrets/" + releaseSecret("podinfo", 1),
                ref("secrets", "demo", releaseSecret("podinfo", 1), null, "v1"), 200);
        app.installed = true;
        app.replicas = 2;
        deploy(app);
    }

    /** The Deployment controller and the ReplicaSet controller bring up a freshly installed Deployment. */
    private void deploy(App app) {
        at(now + SEC, () -> {
            request(metadata("create", "/apis/apps/v1/namespaces/" + app.namespace + "/replicasets",
                    controllerAccount("deployment-controller"), API_SERVERS[0], KCM_UA + "deployment-controller",
                    ref("replicasets", app.namespace, null, null, "v1", "apps")), 201, rbacReason("deployment-controller"));
            for (int i = 0; i < app.replicas; i++) {
                at(now + SEC + i * 100_000L, () -> createPod(app, pickNode(), "replicaset-controller"));
            }
        });
    }

    private void helmUpgradePodinfo() {
        helmPreamble("demo", "podinfo", false);
        int revision = helmRevisions.merge("demo/podinfo", 1, Integer::sum);
        helmRequest("create", "/api/v1/namespaces/demo/secrets", ref("secrets", "demo", releaseSecret("podinfo", revision),
                null, "v1"), 201);
        helmRequest("get", "/apis/apps/v1/namespaces/demo/deployments/podinfo", ref("deployments", "demo", "podinfo",
                null, "v1", "apps"), 200);
        ObjectNode patch = JSON.createObjectNode();
        patch.putObject("spec").putObject("template").putObject("spec").putArray("containers").addObject()
                .put("name", "podinfo").put("image", "ghcr.io/stefanprodan/podinfo:6.7.2");
        helmWrite("patch", "/apis/apps/v1", "deployments", "apps", "demo", "podinfo", patch, 200);
        helmRequest("update", "/api/v1/namespaces/demo/secrets/" + releaseSecret("podinfo", revision - 1),
                ref("secrets", "demo", releaseSecret("podinfo", revision - 1), null, "v1"), 200);
        helmRequest("update", "/api/v1/namespaces/demo/secrets/" + releaseSecret("podinfo", revision),
                ref("secrets", "demo", releaseSecret("podinfo", revision), null, "v1"), 200);
        App app = apps.get("demo/podinfo");
        app.hash = hash();
        rollOut(app);
    }

    /** Uninstall, then the namespace goes too: the namespace controller empties it, events included. */
    private void helmUninstallPodinfo() {
        App app = apps.get("demo/podinfo");
        helmPreamble("demo", "podinfo", false);
        int revision = helmRevisions.get("demo/podinfo");
        helmRequest("update", "/api/v1/namespaces/demo/secrets/" + releaseSecret("podinfo", revision),
                ref("secrets", "demo", releaseSecret("podinfo", revision), null, "v1"), 200);
        for (String[] r : List.of(new String[] {"/apis/networking.k8s.io/v1", "ingresses", "networking.k8s.io"},
                new String[] {"/apis/apps/v1", "deployments", "apps"}, new String[] {"/api/v1", "services", null},
                new String[] {"/api/v1", "serviceaccounts", null})) {
            helmWrite("delete", r[0], r[1], r[2], "demo", "podinfo", null, 200);
        }
        for (int v = 1; v <= revision; v++) {
            helmRequest("delete", "/api/v1/namespaces/demo/secrets/" + releaseSecret("podinfo", v),
                    ref("secrets", "demo", releaseSecret("podinfo", v), null, "v1"), 200);
        }
        app.installed = false;
        for (Pod pod : pods.stream().filter(p -> p.live && p.app == app).toList()) {
            at(now + 2 * SEC, () -> deletePod(pod, controllerAccount("replicaset-controller"), API_SERVERS[0],
                    KCM_UA + "replicaset-controller", rbacReason("replicaset-controller")));
        }
        at(now + 90 * SEC, () -> {
            ObjectNode delete = metadata("delete", "/api/v1/namespaces/demo", person("alice@example.com", "platform-admins"),
                    "198.51.100.23", KUBECTL_UA, ref("namespaces", null, "demo", null, "v1"));
            complete(delete, 200, "allow", "RBAC: allowed by ClusterRoleBinding \"platform-admins\"", Map.of());
            at(now + 3 * SEC, () -> {
                for (String[] r : List.of(new String[] {"/api/v1", "configmaps", null}, new String[] {"/api/v1", "events", null},
                        new String[] {"/apis/events.k8s.io/v1", "events", "events.k8s.io"},
                        new String[] {"/apis/discovery.k8s.io/v1", "endpointslices", "discovery.k8s.io"})) {
                    ObjectNode e = metadata("deletecollection", r[0] + "/namespaces/demo/" + r[1],
                            controllerAccount("namespace-controller"), API_SERVERS[0], KCM_UA + "namespace-controller",
                            ref(r[1], "demo", null, null, "v1", r[2]));
                    complete(e, 200, "allow", rbacReason("namespace-controller"), Map.of());
                }
                request(metadata("delete", "/api/v1/namespaces/demo", controllerAccount("namespace-controller"),
                        API_SERVERS[0], KCM_UA + "namespace-controller", ref("namespaces", null, "demo", null, "v1")),
                        200, rbacReason("namespace-controller"));
            });
        });
    }

    /**
     * A new chart with --create-namespace: RBAC first, then the Deployment. The new pod's first lists hit an API
     * server whose RBAC cache has not caught up with the binding yet: refused once or twice, then allowed.
     */
    private void helmInstallExternalDns() {
        App app = apps.get("external-dns/external-dns");
        helmPreamble("external-dns", "external-dns", false);
        helmRequest("create", "/api/v1/namespaces", ref("namespaces", null, "external-dns", null, "v1"), 201);
        helmRevisions.put("external-dns/external-dns", 1);
        helmRequest("create", "/api/v1/namespaces/external-dns/secrets", ref("secrets", "external-dns",
                releaseSecret("external-dns", 1), null, "v1"), 201);
        helmWrite("create", "/api/v1", "serviceaccounts", null, "external-dns", "external-dns",
                chartObject("v1", "ServiceAccount", "external-dns", "external-dns", "external-dns", null), 201);
        ObjectNode role = chartObject("rbac.authorization.k8s.io/v1", "ClusterRole", null, "external-dns", "external-dns", null);
        ArrayNode rules = role.putArray("rules");
        rules.addObject().putArray("resources").add("services").add("endpoints").add("pods").add("nodes");
        ((ArrayNode) ((ObjectNode) rules.get(0)).putArray("verbs")).add("get").add("watch").add("list");
        helmWrite("create", "/apis/rbac.authorization.k8s.io/v1", "clusterroles", "rbac.authorization.k8s.io", null,
                "external-dns", role, 201);
        ObjectNode binding = chartObject("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", null, "external-dns-viewer",
                "external-dns", null);
        binding.putObject("roleRef").put("apiGroup", "rbac.authorization.k8s.io").put("kind", "ClusterRole")
                .put("name", "external-dns");
        binding.putArray("subjects").addObject().put("kind", "ServiceAccount").put("name", "external-dns")
                .put("namespace", "external-dns");
        helmWrite("create", "/apis/rbac.authorization.k8s.io/v1", "clusterrolebindings", "rbac.authorization.k8s.io", null,
                "external-dns-viewer", binding, 201);
        ObjectNode deployment = chartObject("apps/v1", "Deployment", "external-dns", "external-dns", "external-dns", null);
        deployment.putObject("spec").put("replicas", 1);
        helmWrite("create", "/apis/apps/v1", "deployments", "apps", "external-dns", "external-dns", deployment, 201);
        helmRequest("update", "/api/v1/namespaces/external-dns/secrets/" + releaseSecret("external-dns", 1),
                ref("secrets", "external-dns", releaseSecret("external-dns", 1), null, "v1"), 200);
        app.installed = true;
        app.replicas = 1;
        List<String[]> watches = app.watches;
        at(now + SEC, () -> {
            request(metadata("create", "/apis/apps/v1/namespaces/external-dns/replicasets",
                    controllerAccount("deployment-controller"), API_SERVERS[0], KCM_UA + "deployment-controller",
                    ref("replicasets", "external-dns", null, null, "v1", "apps")), 201, rbacReason("deployment-controller"));
            Pod pod = createPod(app, pickNode(), "replicaset-controller");
            // Before its informers settle: each collection refused on the lagging API server, then retried.
            at(now + 4 * SEC, () -> {
                int attempt = 0;
                for (String[] w : watches) {
                    for (int i = 0; i < 1 + random.nextInt(2); i++) {
                        long when = now + (attempt++) * 700_000L;
                        at(when, () -> {
                            ObjectNode list = metadata("list", w[0] + "/" + w[1] + "?limit=500&resourceVersion=0",
                                    podAccount(pod), pod.ip, app.agent, ref(w[1], null, null, null, "v1"));
                            deny(list, w[1] + " is forbidden: User \"system:serviceaccount:external-dns:external-dns\""
                                    + " cannot list resource \"" + w[1] + "\" in API group \"\" at the cluster scope",
                                    "RBAC: clusterrole.rbac.authorization.k8s.io \"external-dns\" not found", w[1]);
                        });
                    }
                }
            });
        });
    }

    /**
     * ingress-nginx: a pre-upgrade hook (a Job with its own RBAC) makes the admission certificate, a post-upgrade
     * hook Job patches the webhook's caBundle with its service account, Helm deletes the hooks, and the history
     * is trimmed to ten revisions.
     */
    private void helmUpgradeIngressNginx() {
        String ns = "ingress-nginx";
        helmPreamble(ns, "ingress-nginx", true);
        int revision = helmRevisions.merge(ns + "/ingress-nginx", 1, Integer::sum);
        helmRequest("create", "/api/v1/namespaces/" + ns + "/secrets", ref("secrets", ns,
                releaseSecret("ingress-nginx", revision), null, "v1"), 201);
        String hook = "pre-install,pre-upgrade";
        helmWrite("create", "/api/v1", "serviceaccounts", null, ns, "ingress-nginx-admission",
                chartObject("v1", "ServiceAccount", ns, "ingress-nginx-admission", "ingress-nginx", hook), 201);
        ObjectNode role = chartObject("rbac.authorization.k8s.io/v1", "Role", ns, "ingress-nginx-admission", "ingress-nginx", hook);
        ObjectNode rule = role.putArray("rules").addObject();
        rule.putArray("resources").add("secrets");
        rule.putArray("verbs").add("get").add("create");
        helmWrite("create", "/apis/rbac.authorization.k8s.io/v1", "roles", "rbac.authorization.k8s.io", ns,
                "ingress-nginx-admission", role, 201);
        ObjectNode binding = chartObject("rbac.authorization.k8s.io/v1", "RoleBinding", ns, "ingress-nginx-admission",
                "ingress-nginx", hook);
        binding.putObject("roleRef").put("kind", "Role").put("name", "ingress-nginx-admission");
        binding.putArray("subjects").addObject().put("kind", "ServiceAccount").put("name", "ingress-nginx-admission");
        helmWrite("create", "/apis/rbac.authorization.k8s.io/v1", "rolebindings", "rbac.authorization.k8s.io", ns,
                "ingress-nginx-admission", binding, 201);
        ObjectNode clusterRole = chartObject("rbac.authorization.k8s.io/v1", "ClusterRole", null, "ingress-nginx-admission",
                "ingress-nginx", hook);
        ObjectNode crRule = clusterRole.putArray("rules").addObject();
        crRule.putArray("resources").add("validatingwebhookconfigurations");
        crRule.putArray("verbs").add("get").add("update");
        helmWrite("create", "/apis/rbac.authorization.k8s.io/v1", "clusterroles", "rbac.authorization.k8s.io", null,
                "ingress-nginx-admission", clusterRole, 201);
        ObjectNode crb = chartObject("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", null, "ingress-nginx-admission",
                "ingress-nginx", hook);
        crb.putObject("roleRef").put("kind", "ClusterRole").put("name", "ingress-nginx-admission");
        crb.putArray("subjects").addObject().put("kind", "ServiceAccount").put("name", "ingress-nginx-admission")
                .put("namespace", ns);
        helmWrite("create", "/apis/rbac.authorization.k8s.io/v1", "clusterrolebindings", "rbac.authorization.k8s.io", null,
                "ingress-nginx-admission", crb, 201);
        App certgen = new App(ns, "ingress-nginx-admission-create", "Job", 1,
                "registry.k8s.io/ingress-nginx/kube-webhook-certgen:v1.4.4", List.of(), List.of(), false, false, List.of(),
                "kube-webhook-certgen/v1.4.4", List.of(), uuid(), hash());
        certgen.serviceAccount = "ingress-nginx-admission";
        ObjectNode job = chartObject("batch/v1", "Job", ns, certgen.name, "ingress-nginx", hook);
        job.putObject("spec").putObject("template").set("spec", podSpec(newPod(certgen, pickNode()), false));
        helmWrite("create", "/apis/batch/v1", "jobs", "batch", ns, certgen.name, job, 201);
        at(now + SEC, () -> {
            Pod pod = createPod(certgen, pickNode(), "job-controller");
            // The real job also reads the admission secret through the API (it exists: nothing to create). That
            // read fires node-token-cross-node-access (the secret is mounted only by the controller's pods, on other
            // nodes); it is left out of the day and reported (README, "Left out").
            at(now + 8 * SEC, () -> {
                ObjectNode patch = event("Request", "patch", "/apis/admissionregistration.k8s.io/v1/"
                        + "validatingwebhookconfigurations/ingress-nginx-admission", podAccount(pod), pod.ip, certgen.agent,
                        ref("validatingwebhookconfigurations", null, "ingress-nginx-admission", null, "v1",
                                "admissionregistration.k8s.io"));
                patch.putObject("requestObject").putArray("webhooks").addObject().put("name", "validate.nginx.ingress.kubernetes.io")
                        .putObject("clientConfig").put("caBundle", "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t" + suffix(12));
                complete(patch, 200, "allow", "RBAC: allowed by ClusterRoleBinding \"ingress-nginx-admission\"", Map.of());
                kubeletFinalDelete(pod);
                helmRequest("get", "/apis/batch/v1/namespaces/" + ns + "/jobs/" + certgen.name,
                        ref("jobs", ns, certgen.name, null, "v1", "batch"), 200);
                // hook-succeeded: Helm deletes the hook's objects, then applies the release.
                helmWrite("delete", "/apis/batch/v1", "jobs", "batch", ns, certgen.name, null, 200);
                helmWrite("delete", "/apis/rbac.authorization.k8s.io/v1", "clusterrolebindings", "rbac.authorization.k8s.io",
                        null, "ingress-nginx-admission", null, 200);
                helmWrite("delete", "/apis/rbac.authorization.k8s.io/v1", "clusterroles", "rbac.authorization.k8s.io",
                        null, "ingress-nginx-admission", null, 200);
                helmWrite("delete", "/apis/rbac.authorization.k8s.io/v1", "rolebindings", "rbac.authorization.k8s.io",
                        ns, "ingress-nginx-admission", null, 200);
                helmWrite("delete", "/apis/rbac.authorization.k8s.io/v1", "roles", "rbac.authorization.k8s.io", ns,
                        "ingress-nginx-admission", null, 200);
                helmWrite("delete", "/api/v1", "serviceaccounts", null, ns, "ingress-nginx-admission", null, 200);
                ObjectNode webhook = chartObject("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", null,
                        "ingress-nginx-admission", "ingress-nginx", null);
                ObjectNode hookConfig = webhook.putArray("webhooks").addObject().put("name", "validate.nginx.ingress.kubernetes.io")
                        .put("failurePolicy", "Fail").put("sideEffects", "None");
                hookConfig.putObject("clientConfig").putObject("service").put("namespace", ns)
                        .put("name", "ingress-nginx-controller-admission").put("path", "/networking/v1/ingresses");
                helmWrite("patch", "/apis/admissionregistration.k8s.io/v1", "validatingwebhookconfigurations",
                        "admissionregistration.k8s.io", null, "ingress-nginx-admission", webhook, 200);
                ObjectNode deployment = chartObject("apps/v1", "Deployment", ns, "ingress-nginx-controller", "ingress-nginx", null);
                deployment.putObject("spec").putObject("template").putObject("spec").putArray("containers").addObject()
                        .put("name", "controller").put("image", "registry.k8s.io/ingress-nginx/controller:v1.11.4");
                helmWrite("patch", "/apis/apps/v1", "deployments", "apps", ns, "ingress-nginx-controller", deployment, 200);
                helmRequest("update", "/api/v1/namespaces/" + ns + "/secrets/" + releaseSecret("ingress-nginx", revision - 1),
                        ref("secrets", ns, releaseSecret("ingress-nginx", revision - 1), null, "v1"), 200);
                helmRequest("update", "/api/v1/namespaces/" + ns + "/secrets/" + releaseSecret("ingress-nginx", revision),
                        ref("secrets", ns, releaseSecret("ingress-nginx", revision), null, "v1"), 200);
                helmRequest("delete", "/api/v1/namespaces/" + ns + "/secrets/" + releaseSecret("ingress-nginx", revision - 10),
                        ref("secrets", ns, releaseSecret("ingress-nginx", revision - 10), null, "v1"), 200);
                App controller = apps.get("ingress-nginx/ingress-nginx-controller");
                controller.hash = hash();
                rollOut(controller);
            });
        });
    }

    /** cert-manager: the chart's webhooks re-applied, its Deployments rolled; the new cainjector re-injects. */
    private void helmUpgradeCertManager() {
        String ns = "cert-manager";
        helmPreamble(ns, "cert-manager", false);
        int revision = helmRevisions.merge(ns + "/cert-manager", 1, Integer::sum);
        helmRequest("create", "/api/v1/namespaces/" + ns + "/secrets", ref("secrets", ns,
                releaseSecret("cert-manager", revision), null, "v1"), 201);
        for (String kind : List.of("validatingwebhookconfigurations", "mutatingwebhookconfigurations")) {
            ObjectNode webhook = chartObject("admissionregistration.k8s.io/v1", kind.startsWith("validating")
                    ? "ValidatingWebhookConfiguration" : "MutatingWebhookConfiguration", null, "cert-manager-webhook",
                    "cert-manager", null);
            ((ObjectNode) webhook.get("metadata").get("annotations")).put("cert-manager.io/inject-ca-from-secret",
                    "cert-manager/cert-manager-webhook-ca");
            ObjectNode config = webhook.putArray("webhooks").addObject().put("name", "webhook.cert-manager.io")
                    .put("failurePolicy", "Fail").put("sideEffects", "None");
            config.putObject("clientConfig").putObject("service").put("namespace", ns).put("name", "cert-manager-webhook")
                    .put("path", kind.startsWith("validating") ? "/validate" : "/mutate");
            helmWrite("patch", "/apis/admissionregistration.k8s.io/v1", kind, "admissionregistration.k8s.io", null,
                    "cert-manager-webhook", webhook, 200);
        }
        for (String name : List.of("cert-manager", "cert-manager-cainjector", "cert-manager-webhook")) {
            ObjectNode deployment = chartObject("apps/v1", "Deployment", ns, name, "cert-manager", null);
            deployment.putObject("spec").putObject("template").putObject("spec").putArray("containers").addObject()
                    .put("name", name).put("image", apps.get(ns + "/" + name).image.replace("v1.16.1", "v1.16.2"));
            helmWrite("patch", "/apis/apps/v1", "deployments", "apps", ns, name, deployment, 200);
        }
        helmRequest("update", "/api/v1/namespaces/" + ns + "/secrets/" + releaseSecret("cert-manager", revision - 1),
                ref("secrets", ns, releaseSecret("cert-manager", revision - 1), null, "v1"), 200);
        helmRequest("update", "/api/v1/namespaces/" + ns + "/secrets/" + releaseSecret("cert-manager", revision),
                ref("secrets", ns, releaseSecret("cert-manager", revision), null, "v1"), 200);
        for (String name : List.of("cert-manager", "cert-manager-cainjector", "cert-manager-webhook")) {
            App app = apps.get(ns + "/" + name);
            app.hash = hash();
            rollOut(app);
        }
        at(now + 3 * MIN, this::injectCaBundles);
    }

    // ---- nodes: joins and drains ------------------------------------------------------------------------------

    /**
     * kubeadm join: discovery through the anonymous cluster-info ConfigMap, the bootstrap token reads kubeadm's
     * configuration and asks for a kubelet client certificate, the CSR approver approves it, the signer signs, the
     * new kubelet registers its Node and the DaemonSets put their pods on it.
     */
    private void kubeadmJoin(String name, String ip, int index) {
        String kubeadm = "kubeadm/v1.31.2 (linux/amd64) kubernetes/5864a46";
        complete(metadata("get", "/api/v1/namespaces/kube-public/configmaps/cluster-info?timeout=10s",
                user("system:anonymous", "system:unauthenticated"), ip, kubeadm,
                ref("configmaps", "kube-public", "cluster-info", null, "v1")), 200, "allow",
                "RBAC: allowed by RoleBinding \"kubeadm:bootstrap-signer-clusterinfo/kube-public\" of Role "
                        + "\"kubeadm:bootstrap-signer-clusterinfo\" to User \"system:anonymous\"", Map.of());
        ObjectNode bootstrap = user(BOOTSTRAP_USER, "system:bootstrappers", "system:bootstrappers:kubeadm:default-node-token",
                "system:authenticated");
        String reason = "RBAC: allowed by RoleBinding \"kubeadm:nodes-kubeadm-config/kube-system\" of Role "
                + "\"kubeadm:nodes-kubeadm-config\" to Group \"system:bootstrappers:kubeadm:default-node-token\"";
        for (String cm : List.of("kubeadm-config", "kubelet-config", "kube-proxy")) {
            request(metadata("get", "/api/v1/namespaces/kube-system/configmaps/" + cm + "?timeout=10s", bootstrap.deepCopy(),
                    ip, kubeadm, ref("configmaps", "kube-system", cm, null, "v1")), 200, reason);
        }
        request(metadata("get", "/api/v1/nodes/" + name + "?timeout=10s", bootstrap.deepCopy(), ip, kubeadm,
                ref("nodes", null, name, null, "v1")), 404, "RBAC: allowed by ClusterRoleBinding \"kubeadm:get-nodes\"");
        String csrName = "node-csr-" + suffix(43);
        at(now + 6 * SEC, () -> {
            ObjectNode csr = event("Request", "create", "/apis/certificates.k8s.io/v1/certificatesigningrequests",
                    bootstrap.deepCopy(), ip, KUBELET_UA, ref("certificatesigningrequests", null, null, null, "v1",
                            "certificates.k8s.io"));
            ObjectNode body = csr.putObject("requestObject").put("kind", "CertificateSigningRequest")
                    .put("apiVersion", "certificates.k8s.io/v1");
            body.putObject("metadata").put("generateName", "node-csr-");
            ObjectNode spec = body.putObject("spec").put("request", JOIN_CSRS.get(name))
                    .put("signerName", "kubernetes.io/kube-apiserver-client-kubelet");
            spec.putArray("usages").add("digital signature").add("client auth");
            complete(csr, 201, "allow", "RBAC: allowed by ClusterRoleBinding \"kubeadm:kubelet-bootstrap\" of ClusterRole "
                    + "\"system:node-bootstrapper\" to Group \"system:bootstrappers:kubeadm:default-node-token\"", Map.of());
            watch(metadata("watch", "/apis/certificates.k8s.io/v1/certificatesigningrequests?fieldSelector=metadata.name%3D"
                    + csrName + "&watch=true", bootstrap.deepCopy(), ip, KUBELET_UA, ref("certificatesigningrequests", null,
                    csrName, null, "v1", "certificates.k8s.io")), 2 * SEC, "RBAC: allowed by ClusterRoleBinding "
                    + "\"kubeadm:kubelet-bootstrap\"");
            at(now + 300_000, () -> {
                request(metadata("create", "/apis/authorization.k8s.io/v1/subjectaccessreviews",
                        controllerAccount("certificate-controller"), API_SERVERS[0], KCM_UA + "certificate-controller",
                        ref("subjectaccessreviews", null, null, null, "v1", "authorization.k8s.io")), 201,
                        rbacReason("certificate-controller"));
                ObjectNode approve = event("Request", "update", "/apis/certificates.k8s.io/v1/certificatesigningrequests/"
                        + csrName + "/approval", controllerAccount("certificate-controller"), API_SERVERS[0],
                        KCM_UA + "certificate-controller", ref("certificatesigningrequests", null, csrName, "approval", "v1",
                                "certificates.k8s.io"));
                ObjectNode approved = approve.putObject("requestObject").put("kind", "CertificateSigningRequest")
                        .put("apiVersion", "certificates.k8s.io/v1");
                approved.putObject("metadata").put("name", csrName);
                approved.putObject("spec").put("request", JOIN_CSRS.get(name))
                        .put("signerName", "kubernetes.io/kube-apiserver-client-kubelet").put("username", BOOTSTRAP_USER);
                approved.putObject("status").putArray("conditions").addObject().put("type", "Approved")
                        .put("status", "True").put("reason", "AutoApproved")
                        .put("message", "Auto approving kubelet client certificate after SubjectAccessReview.");
                complete(approve, 200, "allow", rbacReason("certificate-controller"), Map.of());
                request(metadata("update", "/apis/certificates.k8s.io/v1/certificatesigningrequests/" + csrName + "/status",
                        controllerAccount("certificate-controller"), API_SERVERS[0], KCM_UA + "certificate-controller",
                        ref("certificatesigningrequests", null, csrName, "status", "v1", "certificates.k8s.io")), 200,
                        rbacReason("certificate-controller"));
            });
            at(now + 3 * SEC, () -> registerNode(name, ip, index));
        });
    }

    private void registerNode(String name, String ip, int index) {
        Node node = addNode(name, ip, index, false);
        request(metadata("create", "/api/v1/nodes", kubelet(node), ip, KUBELET_UA, ref("nodes", null, null, null, "v1")), 201, "");
        startKubelet(node, now + SEC);
        request(metadata("patch", "/api/v1/nodes/" + name, controllerAccount("node-controller"), API_SERVERS[0],
                KCM_UA + "node-controller", ref("nodes", null, name, null, "v1")), 200, rbacReason("node-controller"));
        at(now + 5 * SEC, () -> {
            for (App app : apps.values()) {
                if (app.daemonSet()) {
                    createPod(app, node, "daemon-set-controller");
                }
            }
        });
    }

    /**
     * kubectl drain by an SRE (cordon, evictions of everything but DaemonSet pods), replacements elsewhere; half an
     * hour later the instance is gone and the cloud controller deletes the Node, the pod GC its DaemonSet pods.
     */
    private void drain(String name) {
        Node node = nodes.get(name);
        ObjectNode sre = person("carol@example.com", "sre");
        String reason = "RBAC: allowed by ClusterRoleBinding \"sre\" of ClusterRole \"cluster-admin\" to Group \"sre\"";
        request(metadata("get", "/api/v1/nodes/" + name, sre.deepCopy(), "198.51.100.41", KUBECTL_UA,
                ref("nodes", null, name, null, "v1")), 200, reason);
        request(metadata("patch", "/api/v1/nodes/" + name, sre.deepCopy(), "198.51.100.41", KUBECTL_UA,
                ref("nodes", null, name, null, "v1")), 200, reason);
        node.schedulable = false;
        request(metadata("list", "/api/v1/pods?fieldSelector=spec.nodeName%3D" + name, sre.deepCopy(), "198.51.100.41",
                KUBECTL_UA, ref("pods", null, null, null, "v1")), 200, reason);
        long t = now + SEC;
        for (Pod pod : pods.stream().filter(p -> p.live && p.node == node && !p.app.daemonSet()).toList()) {
            at(t, () -> {
                ObjectNode eviction = metadata("create", "/api/v1/namespaces/" + pod.app.namespace + "/pods/" + pod.name
                        + "/eviction", sre.deepCopy(), "198.51.100.41", KUBECTL_UA,
                        ref("pods", pod.app.namespace, pod.name, "eviction", "v1"));
                complete(eviction, 201, "allow", reason, Map.of());
                // The replacement comes once the evicted pod is gone (a StatefulSet reuses its name).
                at(now + 3 * SEC + random.nextInt(10) * SEC, () -> kubeletFinalDelete(pod));
                at(now + 15 * SEC, () -> createPod(pod.app, pickNode(), controllerFor(pod.app)));
            });
            t += 300_000;
        }
        at(now + 30 * MIN, () -> {
            node.up = false;
            request(metadata("delete", "/api/v1/nodes/" + name, controllerAccount("cloud-node-lifecycle-controller"),
                    API_SERVERS[2], "aws-cloud-controller-manager/v1.31.1 (linux/amd64) kubernetes/1a2b3c4/"
                            + "system:serviceaccount:kube-system:cloud-node-lifecycle-controller",
                    ref("nodes", null, name, null, "v1")), 200, rbacReason("cloud-node-lifecycle-controller"));
            at(now + 40 * SEC, () -> {
                for (Pod pod : pods.stream().filter(p -> p.live && p.node == node).toList()) {
                    ObjectNode delete = event("RequestResponse", "delete", "/api/v1/namespaces/" + pod.app.namespace
                            + "/pods/" + pod.name, controllerAccount("pod-garbage-collector"), API_SERVERS[0],
                            KCM_UA + "pod-garbage-collector", ref("pods", pod.app.namespace, pod.name, null, "v1"));
                    delete.putObject("requestObject").put("kind", "DeleteOptions").put("apiVersion", "v1")
                            .put("gracePeriodSeconds", 0);
                    delete.set("responseObject", terminating(pod, 0));
                    complete(delete, 200, "allow", rbacReason("pod-garbage-collector"), Map.of());
                    gone(pod);
                }
            });
        });
    }

    // ---- people -----------------------------------------------------------------------------------------------

    /** kubectl get, describe and logs: a few minutes of someone looking at their workloads. */
    private void developerSession(String who, List<String> namespaces) {
        String group = who.startsWith("carol") ? "sre" : "developers";
        String ip = who.startsWith("carol") ? "198.51.100.41" : "198.51.100.77";
        String ns = namespaces.get(random.nextInt(namespaces.size()));
        String reason = "RBAC: allowed by RoleBinding \"" + group + "/" + ns + "\" of ClusterRole \"view\" to Group \"" + group + "\"";
        long t = now;
        int steps = 4 + random.nextInt(10);
        for (int i = 0; i < steps; i++) {
            long when = t;
            at(when, () -> {
                List<Pod> here = pods.stream().filter(p -> p.live && p.app.namespace.equals(ns)).toList();
                ObjectNode me = person(who, group);
                int what = random.nextInt(6);
                if (what == 0 || here.isEmpty()) {
                    request(metadata("list", "/api/v1/namespaces/" + ns + "/pods?limit=500", me, ip, KUBECTL_UA,
                            ref("pods", ns, null, null, "v1")), 200, reason);
                } else if (what == 1) {
                    Pod p = here.get(random.nextInt(here.size()));
                    request(metadata("get", "/api/v1/namespaces/" + ns + "/pods/" + p.name, me, ip, KUBECTL_UA,
                            ref("pods", ns, p.name, null, "v1")), 200, reason);
                    request(metadata("list", "/api/v1/namespaces/" + ns + "/events?fieldSelector=involvedObject.name%3D"
                            + p.name + "&limit=500", person(who, group), ip, KUBECTL_UA, ref("events", ns, null, null, "v1")), 200, reason);
                } else if (what == 2) {
                    Pod p = here.get(random.nextInt(here.size()));
                    request(metadata("get", "/api/v1/namespaces/" + ns + "/pods/" + p.name + "/log?container=" + p.app.name
                            + "&tailLines=200", me, ip, KUBECTL_UA, ref("pods", ns, p.name, "log", "v1")), 200, reason);
                } else if (what == 3) {
                    request(metadata("list", "/apis/apps/v1/namespaces/" + ns + "/deployments?limit=500", me, ip, KUBECTL_UA,
                            ref("deployments", ns, null, null, "v1", "apps")), 200, reason);
                } else if (what == 4) {
                    request(metadata("get", "/api?timeout=32s", me, ip, KUBECTL_UA, JSON.createObjectNode()), 200, reason);
                } else {
                    request(metadata("list", "/apis/metrics.k8s.io/v1beta1/namespaces/" + ns + "/pods", me, ip,
                            KUBECTL_UA, ref("pods", ns, null, null, "v1beta1", "metrics.k8s.io")), 200, reason);
                }
            });
            t += 5 * SEC + random.nextInt(90) * SEC;
        }
    }

    /** Someone without rights in kube-system tries to look (refused), and checks what they may do instead. */
    private void deniedPeek(String who) {
        ObjectNode me = person(who, "developers");
        ObjectNode list = metadata("list", "/api/v1/namespaces/kube-system/pods?limit=500", me, "198.51.100.90",
                KUBECTL_UA, ref("pods", "kube-system", null, null, "v1"));
        deny(list, "pods is forbidden: User \"" + who + "\" cannot list resource \"pods\" in API group \"\" in the namespace "
                + "\"kube-system\"", "", "pods");
        at(now + 20 * SEC, () -> complete(metadata("create", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
                person(who, "developers"), "198.51.100.90", KUBECTL_UA, ref("selfsubjectrulesreviews", null, null, null, "v1",
                        "authorization.k8s.io")), 201, "allow", "", Map.of()));
    }

    /** An SRE's exec into a running pod (kubectl 1.31: a get upgraded to a WebSocket). */
    private void exec(String who, String namespace, String appName, String command) {
        Pod pod = pods.stream().filter(p -> p.live && p.app.namespace.equals(namespace) && p.app.name.equals(appName))
                .findFirst().orElseThrow();
        StringBuilder uri = new StringBuilder("/api/v1/namespaces/" + namespace + "/pods/" + pod.name + "/exec?");
        for (String word : command.split(" ")) {
            uri.append("command=").append(word.replace("/", "%2F")).append('&');
        }
        uri.append("container=").append(appName).append("&stdin=true&stdout=true&tty=true");
        ObjectNode e = event("Request", "get", uri.toString(), person(who, "sre"), "198.51.100.41", KUBECTL_UA,
                ref("pods", namespace, pod.name, "exec", "v1"));
        watch(e, (command.contains(" ") ? 2 : 240) * SEC, "RBAC: allowed by ClusterRoleBinding \"sre\" of ClusterRole "
                + "\"cluster-admin\" to Group \"sre\"");
    }

    private void anonymous(String path, String ip, String agent) {
        request(metadata("get", path, user("system:anonymous", "system:unauthenticated"), ip, agent,
                JSON.createObjectNode()), 200, "RBAC: allowed by ClusterRoleBinding \"system:public-info-viewer\" of "
                + "ClusterRole \"system:public-info-viewer\" to Group \"system:unauthenticated\"");
    }

    // ---- event building ---------------------------------------------------------------------------------------

    private ObjectNode metadata(String verb, String uri, ObjectNode user, String ip, String agent, ObjectNode ref) {
        return event("Metadata", verb, uri, user, ip, agent, ref);
    }

    private ObjectNode event(String level, String verb, String uri, ObjectNode user, String ip, String agent, ObjectNode ref) {
        ObjectNode e = JSON.createObjectNode().put("kind", "Event").put("apiVersion", "audit.k8s.io/v1").put("level", level)
                .put("auditID", uuid()).put("stage", "ResponseComplete").put("requestURI", uri).put("verb", verb);
        e.set("user", user);
        e.putArray("sourceIPs").add(ip);
        if (agent != null && !agent.isEmpty()) {
            e.put("userAgent", agent);
        }
        if (ref.size() > 0) {
            e.set("objectRef", ref);
        }
        return e;
    }

    private static ObjectNode ref(String resource, String namespace, String name, String subresource, String version) {
        return ref(resource, namespace, name, subresource, version, null);
    }

    private static ObjectNode ref(String resource, String namespace, String name, String subresource, String version,
                                  String group) {
        ObjectNode ref = JSON.createObjectNode().put("resource", resource);
        if (namespace != null) {
            ref.put("namespace", namespace);
        }
        if (name != null) {
            ref.put("name", name);
        }
        if (group != null) {
            ref.put("apiGroup", group);
        }
        ref.put("apiVersion", version);
        if (subresource != null) {
            ref.put("subresource", subresource);
        }
        return ref;
    }

    private void request(ObjectNode e, int code, String reason) {
        complete(e, code, "allow", reason, Map.of());
    }

    /** Writes a request as logged when it completes a few milliseconds later. */
    private void complete(ObjectNode e, int code, String decision, String reason, Map<String, String> extra) {
        e.put("requestReceivedTimestamp", timestamp(now));
        e.put("stageTimestamp", timestamp(now + 1_000 + random.nextInt(30_000)));
        ObjectNode status = JSON.createObjectNode();
        status.putObject("metadata");
        if (code >= 400) {
            status.put("status", "Failure").put("reason", code == 404 ? "NotFound" : "Forbidden");
        }
        status.put("code", code);
        if (!e.has("responseStatus")) {
            e.set("responseStatus", status);
        }
        ObjectNode annotations = e.putObject("annotations").put("authorization.k8s.io/decision", decision)
                .put("authorization.k8s.io/reason", reason);
        extra.forEach(annotations::put);
        write(e);
    }

    private void deny(ObjectNode e, String message, String reason, String kind) {
        ObjectNode status = e.putObject("responseStatus");
        status.putObject("metadata");
        status.put("status", "Failure").put("message", message).put("reason", "Forbidden");
        status.putObject("details").put("kind", kind);
        status.put("code", 403);
        complete(e, 403, "forbid", reason, Map.of());
    }

    /** A long-running request: ResponseStarted now, ResponseComplete when it ends. */
    private void watch(ObjectNode e, long duration, String reason) {
        e.put("stage", "ResponseStarted").put("requestReceivedTimestamp", timestamp(now))
                .put("stageTimestamp", timestamp(now + 1_500));
        ObjectNode status = e.putObject("responseStatus");
        status.putObject("metadata");
        status.put("code", "get".equals(e.get("verb").asText()) ? 101 : 200);
        e.putObject("annotations").put("authorization.k8s.io/decision", "allow").put("authorization.k8s.io/reason", reason);
        write(e);
        ObjectNode done = e.deepCopy();
        at(now + duration, () -> {
            done.put("stage", "ResponseComplete").put("stageTimestamp", timestamp(now));
            write(done);
        });
    }

    private void write(ObjectNode e) {
        try {
            out.write(JSON.writeValueAsString(e));
            out.write('\n');
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        lines++;
    }

    private ObjectNode kubelet(Node node) {
        return user("system:node:" + node.name, "system:nodes", "system:authenticated");
    }

    private ObjectNode controllerAccount(String controller) {
        ObjectNode user = user("system:serviceaccount:kube-system:" + controller, "system:serviceaccounts",
                "system:serviceaccounts:kube-system", "system:authenticated");
        user.put("uid", nameUuid("sa/kube-system/" + controller));
        user.putObject("extra").putArray("authentication.kubernetes.io/credential-id")
                .add("JTI=" + nameUuid("jti/" + controller + "/" + now / HOUR));
        return user;
    }

    /** A pod's token: bound to its pod and node (Kubernetes 1.30+), one credential id per kubelet refresh. */
    private ObjectNode podAccount(Pod pod) {
        ObjectNode user = user("system:serviceaccount:" + pod.app.namespace + ":" + pod.app.serviceAccount,
                "system:serviceaccounts", "system:serviceaccounts:" + pod.app.namespace, "system:authenticated");
        user.put("uid", pod.app.uid);
        ObjectNode extra = user.putObject("extra");
        extra.putArray("authentication.kubernetes.io/credential-id").add(pod.credentialId == null ? "JTI=" + pod.uid
                : pod.credentialId);
        extra.putArray("authentication.kubernetes.io/node-name").add(pod.node.name);
        extra.putArray("authentication.kubernetes.io/node-uid").add(pod.node.uid);
        extra.putArray("authentication.kubernetes.io/pod-name").add(pod.name);
        extra.putArray("authentication.kubernetes.io/pod-uid").add(pod.uid);
        return user;
    }

    private ObjectNode person(String who, String group) {
        ObjectNode user = user(who, group, "system:authenticated");
        user.put("uid", nameUuid("oidc/" + who));
        return user;
    }

    private static ObjectNode user(String name, String... groups) {
        ObjectNode user = JSON.createObjectNode().put("username", name);
        ArrayNode g = user.putArray("groups");
        for (String group : groups) {
            g.add(group);
        }
        return user;
    }

    private static String rbacReason(String controller) {
        return "RBAC: allowed by ClusterRoleBinding \"system:controller:" + controller + "\" of ClusterRole "
                + "\"system:controller:" + controller + "\" to ServiceAccount \"" + controller + "/kube-system\"";
    }

    // ---- inventory --------------------------------------------------------------------------------------------

    /** {@code kubectl get pods -A -o json} at midnight: what runs before the log starts. */
    private ObjectNode inventory() {
        ObjectNode list = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "List");
        ArrayNode items = list.putArray("items");
        for (Pod pod : pods) {
            ObjectNode item = items.addObject().put("apiVersion", "v1").put("kind", "Pod");
            ObjectNode meta = item.putObject("metadata").put("name", pod.name).put("namespace", pod.app.namespace)
                    .put("uid", pod.uid).put("creationTimestamp", "2026-11-20T08:14:03Z");
            meta.putArray("ownerReferences").addObject().put("apiVersion", ownerApi(pod.app)).put("kind", ownerKind(pod.app))
                    .put("name", ownerName(pod.app)).put("uid", pod.app.uid).put("controller", true);
            item.set("spec", podSpec(pod, true));
            item.putObject("status").put("phase", "Running").put("podIP", pod.ip).put("hostIP", pod.node.ip);
        }
        return list;
    }

    // ---- determinism ------------------------------------------------------------------------------------------

    private String uuid() {
        return new UUID(random.nextLong(), random.nextLong()).toString();
    }

    private static String nameUuid(String name) {
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
    }

    private String suffix(int length) {
        String alphabet = "bcdfghjklmnpqrstvwxz2456789";
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < length; i++) {
            s.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return s.toString();
    }

    private String hash() {
        return suffix(9).replaceAll("[^a-z0-9]", "x");
    }

    private static String timestamp(long micros) {
        return Instant.ofEpochSecond(micros / SEC, micros % SEC * 1000).toString();
    }
}
