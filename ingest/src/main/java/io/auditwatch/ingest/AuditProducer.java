package io.auditwatch.ingest;

import io.auditwatch.kafka.KafkaUnreachableException;
import io.auditwatch.kafka.KafkaClients;
import io.auditwatch.kafka.Topics;
import io.auditwatch.event.AuditLogFiles;
import io.auditwatch.event.Provenance;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Puts raw audit payloads on {@code audit.events}: idempotent, {@code acks=all}, and a send counts only once
 * Kafka acknowledged it, so nothing reported as sent is ever lost. Payloads go verbatim; the detector parses.
 */
public final class AuditProducer implements AutoCloseable {
    public static final String AUDIT_EVENTS_TOPIC = Topics.AUDIT_EVENTS;
    private static final int MAX_REQUEST_BYTES = Topics.MAX_RECORD_BYTES + 65_536;
    private static final int LINGER_MS = 5;

    private final KafkaProducer<byte[], byte[]> producer;
    private final Duration deliveryTimeout;

    public AuditProducer(String bootstrapServers) {
        this(bootstrapServers, Duration.ofMinutes(2));
    }

    /**
     * @param deliveryTimeout how long a record may wait for Kafka (metadata, retries, acknowledgement) before
     *                        its send fails; bounds how long a caller waits while Kafka is unreachable
     */
    public AuditProducer(String bootstrapServers, Duration deliveryTimeout) {
        this.deliveryTimeout = deliveryTimeout;
        int delivery = (int) deliveryTimeout.toMillis();
        Map<String, Object> config = reliableConfig(bootstrapServers);
        // Kafka requires delivery.timeout.ms >= linger.ms + request.timeout.ms.
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, delivery);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(30_000, delivery - LINGER_MS));
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, delivery);
        config.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
        this.producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /**
     * Producer settings for anything auditwatch must not lose: idempotent, acknowledged by all replicas. One
     * request in flight per connection: seen here on a just-created topic, a first batch refused with
     * NOT_LEADER_OR_FOLLOWER while the next one was accepted left the producer retrying it forever with
     * OUT_OF_ORDER_SEQUENCE_NUMBER. Larger batches keep the throughput.
     */
    public static Map<String, Object> reliableConfig(String bootstrapServers) {
        Map<String, Object> config = KafkaClients.config(bootstrapServers);
        config.putAll(Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_REQUEST_BYTES,
                ProducerConfig.LINGER_MS_CONFIG, LINGER_MS,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"));
        return config;
    }

    /** A record for {@code topic}, stamped with the cluster it came from when one is known. */
    public static ProducerRecord<byte[], byte[]> record(String topic, byte[] value, String cluster) {
        RecordHeaders headers = new RecordHeaders();
        if (cluster != null) {
            headers.add(Provenance.CLUSTER_HEADER, cluster.getBytes(StandardCharsets.UTF_8));
        }
        return new ProducerRecord<>(topic, null, (byte[]) null, value, headers);
    }

    /**
     * Sends every payload of an audit log file and returns once all are acknowledged; returns the count. The
     * file's name is the key, so one file lands in one partition in its own order, as an API server wrote it.
     */
    public int sendFile(Path file) throws IOException {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        byte[] key = file.getFileName().toString().getBytes(StandardCharsets.UTF_8);
        AuditLogFiles.forEachPayload(file, payload -> records.add(new ProducerRecord<>(AUDIT_EVENTS_TOPIC, key, payload)));
        sendAll(records);
        return records.size();
    }

    /**
     * Sends the records and returns once Kafka acknowledged every one of them.
     *
     * @throws KafkaUnreachableException when one was not acknowledged within the delivery timeout (some others
     *                                   may have been: a retry produces duplicates, which the detector drops)
     */
    public void sendAll(List<ProducerRecord<byte[], byte[]>> records) throws KafkaUnreachableException {
        long deadline = System.nanoTime() + deliveryTimeout.toNanos() + TimeUnit.SECONDS.toNanos(1);
        List<Future<RecordMetadata>> sends = new ArrayList<>(records.size());
        try {
            for (ProducerRecord<byte[], byte[]> record : records) {
                // Blocks up to max.block.ms while there is no metadata: stop at the first failure or the
                // deadline, or a batch would wait that long for each of its records.
                Future<RecordMetadata> send = producer.send(record);
                sends.add(send);
                if (send.isDone()) {
                    send.get();
                }
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException("deadline passed while sending");
                }
            }
            for (Future<RecordMetadata> send : sends) {
                send.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } catch (ExecutionException e) {
            throw new KafkaUnreachableException("Kafka did not acknowledge an audit event: "
                    + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException | KafkaException e) {
            throw new KafkaUnreachableException("Kafka did not acknowledge an audit event within "
                    + deliveryTimeout.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaUnreachableException("interrupted while waiting for Kafka's acknowledgement", e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
