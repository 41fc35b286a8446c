package io.auditwatch.investigate;

import io.auditwatch.alert.Alert;
import io.auditwatch.alert.AlertCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Puts replay's alerts on the alerts topic for a drill or a back-fill, as the detector writes them, each marked
 * with the header {@value #REPLAYED_HEADER}. Their ids are those live detection gives the same requests, so a
 * notifier that already delivered one (its delivery store remembers ids) does not page for it again.
 */
public final class AlertPublisher implements Consumer<Alert>, AutoCloseable {
    public static final String REPLAYED_HEADER = "auditwatch-replayed";

    private final KafkaProducer<String, byte[]> producer;
    private final String topic;
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private long sent;

    public AlertPublisher(String bootstrapServers, String topic) {
        this.topic = topic;
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.CLIENT_ID_CONFIG, "auditwatch-replay"),
                new StringSerializer(), new ByteArraySerializer());
    }

    @Override
    public void accept(Alert alert) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, alert.dedupKey(), AlertCodec.toBytes(alert));
        record.headers().add(REPLAYED_HEADER, "true".getBytes(StandardCharsets.UTF_8));
        producer.send(record, (metadata, e) -> {
            if (e != null) {
                failure.compareAndSet(null, e);
            }
        });
        sent++;
    }

    /** Waits until every alert sent is acknowledged; returns how many, or throws the first failure. */
    public long flush() throws IOException {
        producer.flush();
        if (failure.get() != null) {
            throw new IOException("cannot publish to " + topic + ": " + failure.get().getMessage(), failure.get());
        }
        return sent;
    }

    @Override
    public void close() {
        producer.close();
    }
}
