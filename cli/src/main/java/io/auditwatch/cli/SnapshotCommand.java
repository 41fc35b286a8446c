package io.auditwatch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditwatch.detector.TopicSetup;
import io.auditwatch.detector.Topics;
import io.auditwatch.event.AuditEventReader;
import io.auditwatch.ingest.AuditProducer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Files;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code auditwatch snapshot}: the pods that exist now, for the node graph, onto {@code auditwatch.inventory}. */
@Command(name = "snapshot", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Publish the pods that exist now to the compacted topic auditwatch.inventory, so the node graph",
            "knows pods older than the audit stream: from a file (kubectl get pods -A -o json > pods.json) or the API."})
final class SnapshotCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @Option(names = "--file", paramLabel = "FILE", required = true,
                description = "Output of 'kubectl get pods -A -o json' (a List or PodList).")
        Path file;

        @Option(names = "--kubeconfig", paramLabel = "FILE", required = true,
                description = "List the pods through the API (read-only: list pods in all namespaces; see deploy/snapshot-rbac.yaml).")
        Path kubeconfig;
    }

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", required = true, description = "Kafka to publish to.")
    String bootstrapServers;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "3",
            description = "Partitions if the topic must be created (match the detector's --partitions).")
    int partitions;

    private static JsonNode readFile(Path file) {
        ReplayCommand.requireFile(file, "--file");
        JsonNode document;
        try {
            document = AuditEventReader.mapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new UserError("--file " + file + ": not JSON: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
        if (!document.path("items").isArray()) {
            throw new UserError("--file " + file + ": expected kubectl's List or PodList with an items array");
        }
        return document;
    }

    private static JsonNode listPods(Path kubeconfig) throws IOException {
        ReplayCommand.requireFile(kubeconfig, "--kubeconfig");
        Config config = Config.fromKubeconfig(Files.readString(kubeconfig));
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
            PodList pods = client.pods().inAnyNamespace().list();
            return AuditEventReader.mapper().readTree(client.getKubernetesSerialization().asJson(pods));
        } catch (KubernetesClientException e) {
            throw new UserError("cannot list pods through " + kubeconfig + ": " + e.getMessage().lines().findFirst().orElse(""), e);
        }
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        JsonNode items = (source.file != null ? readFile(source.file) : listPods(source.kubeconfig)).path("items");
        KafkaCheck.requireReachable(bootstrapServers, Duration.ofSeconds(15));
        TopicSetup.ensure(bootstrapServers, partitions, Duration.ofSeconds(30));
        List<Future<RecordMetadata>> sends = new ArrayList<>();
        int skipped = 0;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(AuditProducer.reliableConfig(bootstrapServers),
                new StringSerializer(), new ByteArraySerializer())) {
            for (JsonNode item : items) {
                JsonNode meta = item.path("metadata");
                if (!"Pod".equals(item.path("kind").asText("Pod")) || !meta.hasNonNull("namespace") || !meta.hasNonNull("name")) {
                    skipped++;
                    continue;
                }
                // Keyed by namespace/name: compaction keeps each pod's latest snapshot.
                String key = meta.get("namespace").asText() + "/" + meta.get("name").asText();
                sends.add(producer.send(new ProducerRecord<>(Topics.INVENTORY, key,
                        item.toString().getBytes(StandardCharsets.UTF_8))));
            }
            for (Future<RecordMetadata> send : sends) {
                send.get();
            }
        } catch (ExecutionException e) {
            throw new UserError("Kafka did not acknowledge the snapshot: " + e.getCause().getMessage(), e);
        }
        spec.commandLine().getOut().printf("published %d pods to %s (%d other items skipped)%n", sends.size(),
                Topics.INVENTORY, skipped);
        return 0;
    }
}
