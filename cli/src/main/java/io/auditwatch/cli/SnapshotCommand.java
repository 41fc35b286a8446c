package io.auditwatch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditwatch.kafka.KafkaAdmin;
import io.auditwatch.kafka.Topics;
import io.auditwatch.event.AuditEventReader;
import io.auditwatch.ingest.AuditProducer;
import io.auditwatch.nodegraph.Inventory;
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
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Files;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code auditwatch snapshot}: the pods and volumes that exist now, for the node graph, onto {@code auditwatch.inventory}. */
@Command(name = "snapshot", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Publish the pods, PVs and VolumeAttachments that exist now to auditwatch.inventory.",
            "The node graph then knows what is older than the audit stream. From a file (kubectl get"
                    + " pods,pv,volumeattachments -A -o json > objects.json) or through the API."})
final class SnapshotCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @Option(names = "--file", paramLabel = "FILE", required = true,
                description = "Output of 'kubectl get pods,pv,volumeattachments -A -o json' (a List or PodList).")
        Path file;

        @Option(names = "--kubeconfig", paramLabel = "FILE", required = true,
                description = "List them through the API (read-only: see deploy/base/snapshot.yaml).")
        Path kubeconfig;

        @Option(names = "--in-cluster", required = true,
                description = "List them through the API with the pod's service-account token (a CronJob).")
        boolean inCluster;
    }

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "" + Topics.DEFAULT_PARTITIONS,
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

    /** Pods, PVs and VolumeAttachments that exist now, as one list (what kubectl get pods,pv,volumeattachments gives). */
    private static JsonNode listPods(Path kubeconfig) throws IOException {
        Config config;
        if (kubeconfig == null) {
            config = Config.autoConfigure(null); // in a pod: the mounted service-account token and CA
        } else {
            ReplayCommand.requireFile(kubeconfig, "--kubeconfig");
            config = Config.fromKubeconfig(Files.readString(kubeconfig));
        }
        String through = kubeconfig == null ? "the in-cluster service account" : kubeconfig.toString();
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
            ObjectNode list = AuditEventReader.mapper().createObjectNode().put("kind", "List");
            ArrayNode items = list.putArray("items");
            for (Object objects : List.of(client.pods().inAnyNamespace().list(), client.persistentVolumes().list(),
                    client.storage().v1().volumeAttachments().list())) {
                AuditEventReader.mapper().readTree(client.getKubernetesSerialization().asJson(objects)).path("items")
                        .forEach(items::add);
            }
            return list;
        } catch (KubernetesClientException e) {
            throw new UserError("cannot list pods, volumes and attachments through " + through + ": "
                    + e.getMessage().lines().findFirst().orElse(""), e);
        }
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        JsonNode items = (source.file != null ? readFile(source.file) : listPods(source.kubeconfig)).path("items");
        String bootstrapServers = kafka.connect();
        KafkaAdmin.ensureTopics(bootstrapServers, partitions, Duration.ofSeconds(30));
        List<Future<RecordMetadata>> sends = new ArrayList<>();
        int skipped = 0;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(AuditProducer.reliableConfig(bootstrapServers),
                new StringSerializer(), new ByteArraySerializer())) {
            for (JsonNode item : items) {
                JsonNode meta = item.path("metadata");
                String kind = item.path("kind").asText("Pod");
                boolean namespaced = "Pod".equals(kind);
                if (!Inventory.RESOURCES.containsKey(kind) || !meta.hasNonNull("name") || namespaced && !meta.hasNonNull("namespace")) {
                    skipped++;
                    continue;
                }
                // Compaction keeps each object's latest snapshot: pods by namespace/name, volumes by kind/name.
                String key = (namespaced ? meta.get("namespace").asText() : kind) + "/" + meta.get("name").asText();
                sends.add(producer.send(new ProducerRecord<>(Topics.INVENTORY, key,
                        item.toString().getBytes(StandardCharsets.UTF_8))));
            }
            for (Future<RecordMetadata> send : sends) {
                send.get();
            }
        } catch (ExecutionException e) {
            throw new UserError("Kafka did not acknowledge the snapshot: " + e.getCause().getMessage(), e);
        }
        spec.commandLine().getOut().printf("published %d pods, volumes and attachments to %s (%d other items skipped)%n",
                sends.size(), Topics.INVENTORY, skipped);
        return 0;
    }
}
