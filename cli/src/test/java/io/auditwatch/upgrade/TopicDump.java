package io.auditwatch.upgrade;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditwatch.kafka.KafkaAdmin;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A Kafka Streams application's whole footprint on a broker, written to files and restored into another broker:
 * every topic (partitions, the configs set on it, each committed record with key, value, headers, timestamp,
 * partition and original offset, base64 in JSON lines) and the application's committed group offsets.
 *
 * <p>Restoring cannot keep every offset: the original logs hold transaction markers (and records of aborted
 * transactions, which are not dumped) at offsets of their own, and repartition topics were purged. Each
 * committed offset is translated to the restored record that takes the place of the first original record at or
 * after it; changelogs keep their offsets ({@link #restore}). Topics and the group named after the recorded application id are renamed to another id, so that
 * each test runs on a group of its own; the id is only a prefix of names, so the application sees the same data.
 *
 * <p>Files: {@code topics.json}, {@code records.jsonl}, {@code offsets.json}.
 */
final class TopicDump {
    static final String TOPICS = "topics.json";
    static final String RECORDS = "records.jsonl";
    static final String OFFSETS = "offsets.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Base64.Encoder B64 = Base64.getEncoder();
    private static final Base64.Decoder UNB64 = Base64.getDecoder();
    private static final long TIMEOUT_S = 30;

    /** One record of a dump. */
    record Entry(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value,
                 List<Header> headers) {
    }

    private TopicDump() {
    }

    /** Every committed record of {@code partitions} from the start up to their end (read_committed). */
    static List<Entry> read(String bootstrap, Collection<TopicPartition> partitions) {
        List<Entry> out = new ArrayList<>();
        if (partitions.isEmpty()) {
            return out;
        }
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrap)) {
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + partitions + " to " + end);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    out.add(entry(r));
                }
            }
        }
        return out;
    }

    static Entry entry(ConsumerRecord<byte[], byte[]> r) {
        return new Entry(r.topic(), r.partition(), r.offset(), r.timestamp(), r.key(), r.value(),
                List.of(r.headers().toArray()));
    }

    static KafkaConsumer<byte[], byte[]> consumer(String bootstrap) {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** Writes the topics (but those of Kafka itself), {@code records} and the group offsets of {@code group}. */
    static void write(Path dir, String bootstrap, String group, List<Entry> records) throws Exception {
        Files.createDirectories(dir);
        try (Admin admin = admin(bootstrap)) {
            List<String> names = admin.listTopics().names().get(TIMEOUT_S, TimeUnit.SECONDS).stream()
                    .filter(t -> !t.startsWith("__")).sorted().toList();
            Map<ConfigResource, Config> configs = admin.describeConfigs(names.stream()
                    .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList()).all().get(TIMEOUT_S, TimeUnit.SECONDS);
            ArrayNode topics = JSON.createArrayNode();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            var described = new TreeMap<>(admin.describeTopics(names).allTopicNames().get(TIMEOUT_S, TimeUnit.SECONDS));
            described.values().forEach(d -> d.partitions().forEach(p ->
                    latest.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest())));
            var ends = admin.listOffsets(latest).all().get(TIMEOUT_S, TimeUnit.SECONDS);
            for (var d : described.values()) {
                ObjectNode topic = topics.addObject().put("name", d.name()).put("partitions", d.partitions().size());
                ArrayNode end = topic.putArray("ends");
                d.partitions().forEach(p -> end.add(ends.get(new TopicPartition(d.name(), p.partition())).offset()));
                ObjectNode set = topic.putObject("configs");
                configs.get(new ConfigResource(ConfigResource.Type.TOPIC, d.name())).entries().stream()
                        .filter(e -> e.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG)
                        .sorted(Comparator.comparing(ConfigEntry::name))
                        .forEach(e -> set.put(e.name(), e.value()));
            }
            JSON.writeValue(dir.resolve(TOPICS).toFile(), topics);
            ArrayNode offsets = JSON.createArrayNode();
            Map<TopicPartition, OffsetAndMetadata> committed = new TreeMap<>(Comparator.comparing(TopicPartition::toString));
            committed.putAll(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(TIMEOUT_S, TimeUnit.SECONDS));
            committed.forEach((p, o) -> offsets.addObject().put("topic", p.topic()).put("partition", p.partition())
                    .put("offset", o.offset()).put("metadata", o.metadata()));
            JSON.writeValue(dir.resolve(OFFSETS).toFile(), offsets);
        }
        ObjectMapper line = new ObjectMapper();
        try (BufferedWriter out = Files.newBufferedWriter(dir.resolve(RECORDS), StandardCharsets.UTF_8)) {
            for (Entry e : records) {
                ObjectNode n = line.createObjectNode().put("topic", e.topic()).put("partition", e.partition())
                        .put("offset", e.offset()).put("timestamp", e.timestamp())
                        .put("key", e.key() == null ? null : B64.encodeToString(e.key()))
                        .put("value", e.value() == null ? null : B64.encodeToString(e.value()));
                ArrayNode headers = n.putArray("headers");
                e.headers().forEach(h -> headers.addObject().put("key", h.key())
                        .put("value", h.value() == null ? null : B64.encodeToString(h.value())));
                out.write(line.writeValueAsString(n));
                out.newLine();
            }
        }
    }

    /** The records of a dump, in their original order. */
    static List<Entry> records(Path dir) throws IOException {
        ObjectMapper line = new ObjectMapper();
        List<Entry> out = new ArrayList<>();
        for (String text : Files.readAllLines(dir.resolve(RECORDS), StandardCharsets.UTF_8)) {
            JsonNode n = line.readTree(text);
            List<Header> headers = new ArrayList<>();
            n.get("headers").forEach(h -> headers.add(new RecordHeader(h.get("key").asText(), bytes(h.get("value")))));
            out.add(new Entry(n.get("topic").asText(), n.get("partition").asInt(), n.get("offset").asLong(),
                    n.get("timestamp").asLong(), bytes(n.get("key")), bytes(n.get("value")), headers));
        }
        return out;
    }

    private static byte[] bytes(JsonNode n) {
        return n == null || n.isNull() ? null : UNB64.decode(n.asText());
    }

    /** What a restore writes into the stores' changelogs. */
    enum Changelogs {
        /** The recorded records. */
        RECORDS,
        /**
         * Only their offsets, each taken by a tombstone of a key no store holds: a store can then only have its
         * state from a state directory, which knows those offsets.
         */
        OFFSETS_ONLY
    }

    private static final byte[] FILLER_KEY = "auditwatch-upgrade-filler".getBytes(StandardCharsets.UTF_8);

    /**
     * Creates the dump's topics in {@code bootstrap} (an empty broker), writes its records in their original
     * order and commits the group's offsets, translated; topics and group named {@code recordedId} are renamed
     * to {@code applicationId}. A changelog's records keep their original offsets (tombstones of a key no store
     * holds fill the places of markers and compacted records): a state directory of the recording, which stores
     * the changelog offset its state reflects, then matches the restored changelog.
     */
    static void restore(Path dir, String bootstrap, String recordedId, String applicationId, Changelogs changelogs)
            throws Exception {
        JsonNode topics = JSON.readTree(dir.resolve(TOPICS).toFile());
        List<Entry> records = records(dir);
        try (Admin admin = admin(bootstrap)) {
            List<NewTopic> create = new ArrayList<>();
            Map<TopicPartition, Long> changelogEnds = new HashMap<>();
            for (JsonNode t : topics) {
                Map<String, String> configs = new HashMap<>();
                t.get("configs").fields().forEachRemaining(e -> configs.put(e.getKey(), e.getValue().asText()));
                String name = rename(t.get("name").asText(), recordedId, applicationId);
                create.add(new NewTopic(name, t.get("partitions").asInt(), (short) 1).configs(configs));
                if (isChangelog(name)) {
                    for (int p = 0; p < t.get("ends").size(); p++) {
                        changelogEnds.put(new TopicPartition(name, p), t.get("ends").get(p).asLong());
                    }
                }
            }
            // Returns once every new partition's leader serves: an idempotent producer that writes earlier can
            // wedge (KafkaAdmin#createMissing).
            try (KafkaAdmin creating = KafkaAdmin.open(bootstrap, Duration.ofSeconds(TIMEOUT_S))) {
                creating.createMissing(create);
            }

            // Original offsets of each partition's restored records, in the order they are written: index = new offset.
            Map<TopicPartition, List<Long>> written = new HashMap<>();
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                    ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 * 1024 * 1024),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                for (Entry e : records) {
                    TopicPartition p = new TopicPartition(rename(e.topic(), recordedId, applicationId), e.partition());
                    List<Long> offsets = written.computeIfAbsent(p, x -> new ArrayList<>());
                    boolean changelog = isChangelog(p.topic());
                    if (changelog) {
                        fill(producer, p, offsets, e.offset(), sent);
                    }
                    sent.add(producer.send(changelog && changelogs == Changelogs.OFFSETS_ONLY
                            ? new ProducerRecord<>(p.topic(), p.partition(), FILLER_KEY, null)
                            : new ProducerRecord<>(p.topic(), p.partition(), e.timestamp(), e.key(), e.value(), e.headers())));
                    offsets.add(e.offset());
                }
                changelogEnds.forEach((p, end) -> fill(producer, p, written.computeIfAbsent(p, x -> new ArrayList<>()), end, sent));
                producer.flush();
                for (Future<RecordMetadata> f : sent) {
                    f.get(TIMEOUT_S, TimeUnit.SECONDS); // every record restored, or the restore fails
                }
            }

            Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
            for (JsonNode o : JSON.readTree(dir.resolve(OFFSETS).toFile())) {
                TopicPartition p = new TopicPartition(rename(o.get("topic").asText(), recordedId, applicationId),
                        o.get("partition").asInt());
                long original = o.get("offset").asLong();
                long translated = written.getOrDefault(p, List.of()).stream().filter(x -> x < original).count();
                committed.put(p, new OffsetAndMetadata(translated, o.get("metadata").asText("")));
            }
            admin.alterConsumerGroupOffsets(applicationId, committed).all().get(TIMEOUT_S, TimeUnit.SECONDS);
        }
    }

    /** Writes filler tombstones to {@code p} until its next record takes offset {@code upTo}. */
    private static void fill(KafkaProducer<byte[], byte[]> producer, TopicPartition p, List<Long> offsets, long upTo,
                             List<Future<RecordMetadata>> sent) {
        while (offsets.size() < upTo) {
            sent.add(producer.send(new ProducerRecord<>(p.topic(), p.partition(), FILLER_KEY, null)));
            offsets.add((long) offsets.size());
        }
    }

    private static boolean isChangelog(String topic) {
        return topic.endsWith("-changelog");
    }

    static String rename(String name, String recordedId, String applicationId) {
        return name.startsWith(recordedId + "-") ? applicationId + name.substring(recordedId.length()) : name;
    }

    static Admin admin(String bootstrap) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }
}
