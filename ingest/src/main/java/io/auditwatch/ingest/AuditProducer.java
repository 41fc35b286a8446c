package io.auditwatch.ingest;

import io.auditwatch.event.AuditLogFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Puts raw audit payloads on {@code audit.events}: idempotent, {@code acks=all}, and a send counts only once
 * Kafka acknowledged it, so nothing reported as sent is ever lost. Payloads go verbatim; the detector parses.
 */
public final class AuditProducer implements AutoCloseable {
    public static final String AUDIT_EVENTS_TOPIC = "audit.events";
    private static final int MAX_REQUEST_BYTES = 10 * 1024 * 1024 + 65_536;

    private final KafkaProducer<byte[], byte[]> producer;

    public AuditProducer(String bootstrapServers) {
        this.producer = new KafkaProducer<>(reliableConfig(bootstrapServers), new ByteArraySerializer(),
                new ByteArraySerializer());
    }

    /** Producer settings for anything auditwatch must not lose: idempotent, acknowledged by all replicas. */
    public static Map<String, Object> reliableConfig(String bootstrapServers) {
        return Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_REQUEST_BYTES,
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    }

    /**
     * Sends every payload of an audit log file and returns once all are acknowledged; returns the count. The
     * file's name is the key, so one file lands in one partition in its own order, as an API server wrote it.
     */
    public int sendFile(Path file) throws IOException {
        List<Future<RecordMetadata>> sends = new ArrayList<>();
        byte[] key = file.getFileName().toString().getBytes(StandardCharsets.UTF_8);
        AuditLogFiles.forEachPayload(file, payload ->
                sends.add(producer.send(new ProducerRecord<>(AUDIT_EVENTS_TOPIC, key, payload))));
        awaitAll(sends);
        return sends.size();
    }

    private static void awaitAll(List<Future<RecordMetadata>> sends) throws IOException {
        for (Future<RecordMetadata> send : sends) {
            try {
                send.get();
            } catch (ExecutionException e) {
                throw new IOException("Kafka did not acknowledge an audit event: " + e.getCause().getMessage(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for Kafka's acknowledgement", e);
            }
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
