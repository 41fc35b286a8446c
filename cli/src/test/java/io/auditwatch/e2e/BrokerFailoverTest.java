package io.auditwatch.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.alert.Alert;
import io.auditwatch.kafka.KafkaAdmin;
import io.auditwatch.kafka.Topics;
import io.auditwatch.ingest.AuditProducer;
import io.auditwatch.notify.AlertSubscriber;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A three-node KRaft cluster (separate JVMs), the pipeline's topics created by {@link KafkaAdmin#ensureTopics} with three
 * replicas and two in sync required; one detector runs (exactly once) while the events are sent, and the broker
 * leading the first partition of audit.events is killed with SIGKILL half-way. Nothing is lost: every event
 * lands once, and every alert that replay gives on the same input is committed exactly once (read_committed).
 */
@Tag("slow")
class BrokerFailoverTest {
    private static final String APP = "broker-failover-detector";
    private static final int EVENTS = 12_000;

    @TempDir
    Path dir;

    @Test
    void shouldLoseNoEventAndCommitEveryAlertOfReplayOnceWhenOneOfThreeBrokersIsKilledUnderLoad() throws Exception {
        FailoverInput input = new FailoverInput(EVENTS, dir.resolve("replay"));
        assertTrue(input.expected.size() > 10, "the mix raises alerts: " + input.expected.size());

        int[] ports = new int[3];
        int[] controllers = new int[3];
        List<String> voters = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ports[i] = freePort();
            controllers[i] = freePort();
            voters.add((i + 1) + "@127.0.0.1:" + controllers[i]);
        }
        String clusterId = Uuid.randomUuid().toString();
        Process[] nodes = new Process[3];
        Process detector = null;
        try {
            for (int i = 0; i < 3; i++) {
                nodes[i] = java(List.of("-Xmx384m", ClusterNode.class.getName(), Integer.toString(i + 1),
                        Integer.toString(ports[i]), Integer.toString(controllers[i]), String.join(",", voters),
                        clusterId, dir.resolve("node" + (i + 1)).toString()), "node" + (i + 1));
            }
            String bootstrap = java.util.Arrays.stream(ports).mapToObj(p -> "127.0.0.1:" + p)
                    .collect(Collectors.joining(","));
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                awaitBrokers(admin, 3, TimeUnit.MINUTES.toNanos(4)); // three JVMs starting on a busy machine
                assertEquals(new Topics.Replication((short) 3, 2), KafkaAdmin.ensureTopics(bootstrap, 4, Duration.ofSeconds(60)));
                TopicDescription audit = admin.describeTopics(List.of(Topics.AUDIT_EVENTS)).allTopicNames().get()
                        .get(Topics.AUDIT_EVENTS);
                audit.partitions().forEach(p -> assertEquals(3, p.replicas().size(), "replicas of " + p));
                ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, Topics.AUDIT_EVENTS);
                Config topicConfig = admin.describeConfigs(List.of(resource)).all().get().get(resource);
                assertEquals("2", topicConfig.get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG).value());
                int victim = audit.partitions().get(0).leader().id();

                detector = java(List.of("io.auditwatch.cli.Main", "run", "detector", "--bootstrap-servers", bootstrap,
                        "--application-id", APP, "--partitions", "4", "--stream-threads", "1",
                        "--state-dir", dir.resolve("detector").toString()), "detector");
                List<Alert> committed = new ArrayList<>();
                try (AlertSubscriber alerts = new AlertSubscriber(bootstrap, "broker-failover-check", false);
                     AuditProducer producer = new AuditProducer(bootstrap)) {
                    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
                    for (byte[] event : input.events) {
                        records.add(AuditProducer.record(Topics.AUDIT_EVENTS, event, null));
                    }
                    producer.sendAll(records.subList(0, EVENTS / 2));
                    alerts.pollOnce(Duration.ofSeconds(2), committed::add);
                    nodes[victim - 1].destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL
                    producer.sendAll(records.subList(EVENTS / 2, EVENTS));
                    KafkaAdmin.awaitProcessed(bootstrap, APP, Set.of(Topics.AUDIT_EVENTS), Duration.ofMinutes(6));
                    alerts.readToEnd(Duration.ofSeconds(60), committed::add);
                }
                Map<TopicPartition, OffsetSpec> ends = new java.util.HashMap<>();
                audit.partitions().forEach(p -> ends.put(new TopicPartition(Topics.AUDIT_EVENTS, p.partition()),
                        OffsetSpec.latest()));
                long landed = admin.listOffsets(ends).all().get().values().stream().mapToLong(o -> o.offset()).sum();
                assertEquals(EVENTS, landed, "every event landed once on audit.events (broker " + victim + " killed)");

                assertEquals("0 missing, 0 unexpected, 0 twice", input.compare(committed),
                        "broker " + victim + " killed, " + input.detail(committed));
                System.out.println("broker-failover: " + EVENTS + " events, broker " + victim + " of 3 killed after "
                        + EVENTS / 2 + ": all landed, each of the " + input.expected.size()
                        + " alerts replay decides committed once");
            }
        } finally {
            for (Process p : new Process[] {detector, nodes[0], nodes[1], nodes[2]}) {
                if (p != null) {
                    p.destroy();
                    p.waitFor(60, TimeUnit.SECONDS);
                }
            }
        }
    }

    private static void awaitBrokers(Admin admin, int brokers, long patienceNanos) throws InterruptedException {
        long deadline = System.nanoTime() + patienceNanos;
        while (true) {
            try {
                if (admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size() >= brokers) {
                    return;
                }
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException notYet) {
                // no broker answers yet
            }
            assertTrue(System.nanoTime() < deadline, brokers + " brokers within " + patienceNanos / 1_000_000_000 + " s");
            Thread.sleep(500);
        }
    }

    private Process java(List<String> args, String name) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path")));
        command.addAll(args);
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile()).start();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }
}
