package io.auditwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.auditwatch.broker.SharedKafka;
import io.auditwatch.kafka.Topics;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class SnapshotCommandTest {
    private static final String POD_LIST = """
            {"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"42"},"items":[
             {"metadata":{"name":"web-1","namespace":"shop","uid":"u-1"},
              "spec":{"nodeName":"node-a","serviceAccountName":"web","containers":[{"name":"web","image":"web:1"}],
                      "volumes":[{"name":"db","secret":{"secretName":"db-credentials"}}]}},
             {"metadata":{"name":"agent-x","namespace":"monitoring","uid":"u-2"},
              "spec":{"nodeName":"node-b","containers":[{"name":"agent","image":"agent:1"}]}},
             {"kind":"PersistentVolume","metadata":{"name":"pvc-77"},
              "spec":{"claimRef":{"namespace":"shop","name":"data-db-0"}}},
             {"kind":"VolumeAttachment","metadata":{"name":"csi-123"},
              "spec":{"nodeName":"node-a","source":{"persistentVolumeName":"pvc-77"}}},
             {"kind":"Service","metadata":{"name":"web","namespace":"shop"}}]}
            """;

    @RegisterExtension
    static final SharedKafka KAFKA = new SharedKafka();

    @TempDir
    Path dir;

    @Test
    void shouldPublishEveryPodOfAKubectlListKeyedByNamespaceAndName() throws IOException {
        Path pods = Files.writeString(dir.resolve("pods.json"), POD_LIST);
        CliRun run = new CliRun(Map.of(), "snapshot", "--file", pods.toString(), "--bootstrap-servers", KAFKA.bootstrapServers());
        assertEquals(0, run.exitCode, run.err.toString());
        assertEquals(List.of("published 4 pods, volumes and attachments to auditwatch.inventory (1 other items skipped)"),
                run.outLines());
        assertTrue(inventoryKeys().containsAll(List.of("shop/web-1", "monitoring/agent-x", "PersistentVolume/pvc-77",
                "VolumeAttachment/csi-123")));
    }

    @Test
    void shouldListPodsThroughTheApiWithTheKubeconfigsToken() throws IOException {
        List<String> authorizations = new CopyOnWriteArrayList<>();
        HttpServer api = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        api.createContext("/", exchange -> {
            authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
            String path = exchange.getRequestURI().getPath();
            String list = path.equals("/api/v1/pods") ? POD_LIST.replace("web-1", "web-2")
                    : path.equals("/api/v1/persistentvolumes")
                    ? "{\"kind\":\"PersistentVolumeList\",\"apiVersion\":\"v1\",\"metadata\":{},\"items\":[{\"kind\":\"PersistentVolume\","
                            + "\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"pvc-88\"},\"spec\":{}}]}"
                    : "{\"kind\":\"VolumeAttachmentList\",\"apiVersion\":\"storage.k8s.io/v1\",\"metadata\":{},\"items\":[]}";
            byte[] body = list.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        api.start();
        try {
            Path kubeconfig = Files.writeString(dir.resolve("kubeconfig"), """
                    apiVersion: v1
                    kind: Config
                    clusters:
                    - name: test
                      cluster: {server: "http://127.0.0.1:%d"}
                    users:
                    - name: snapshot
                      user: {token: "snapshot-token"}
                    contexts:
                    - name: test
                      context: {cluster: test, user: snapshot}
                    current-context: test
                    """.formatted(api.getAddress().getPort()));
            CliRun run = new CliRun(Map.of(), "snapshot", "--kubeconfig", kubeconfig.toString(),
                    "--bootstrap-servers", KAFKA.bootstrapServers());
            assertEquals(0, run.exitCode, run.err.toString());
            assertTrue(authorizations.contains("Bearer snapshot-token"), authorizations.toString());
            assertTrue(inventoryKeys().containsAll(List.of("shop/web-2", "PersistentVolume/pvc-88")));
        } finally {
            api.stop(0);
        }
    }

    @Test
    void shouldRefuseAFileThatIsNotAPodListInOneLine() throws IOException {
        Path bad = Files.writeString(dir.resolve("bad.json"), "{\"kind\":\"Pod\"}");
        CliRun run = new CliRun(Map.of(), "snapshot", "--file", bad.toString(), "--bootstrap-servers", KAFKA.bootstrapServers());
        assertEquals(1, run.exitCode);
        assertEquals(List.of("auditwatch: --file " + bad + ": expected kubectl's List or PodList with an items array"),
                run.errLines());
    }

    private static List<String> inventoryKeys() {
        List<String> keys = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "snapshot-test-" + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(Topics.INVENTORY));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            int empty = 0;
            while (System.nanoTime() < deadline && empty < 3) {
                var records = consumer.poll(Duration.ofMillis(500));
                if (records.isEmpty() && !keys.isEmpty()) {
                    empty++;
                }
                records.forEach(r -> keys.add(r.key()));
            }
        }
        return keys;
    }
}
