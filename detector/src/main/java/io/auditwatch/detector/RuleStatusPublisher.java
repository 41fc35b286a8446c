package io.auditwatch.detector;

import io.auditwatch.kafka.Topics;
import io.auditwatch.kafka.KafkaClients;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.auditwatch.alert.ConsoleFormat;
import io.auditwatch.event.AuditEventReader;
import io.auditwatch.rules.TunedRules;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports what became of each change to auditwatch.rules: a log line, and a record on
 * {@value Topics#RULES_STATUS} keyed by rule id ({@code {"rule","action","accepted","reason","instance"}}), so
 * whoever pushed a rule can see whether every instance took it.
 */
final class RuleStatusPublisher implements Consumer<TunedRules.Change>, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RuleStatusPublisher.class);

    private final KafkaProducer<String, String> producer;
    private final String instance;

    RuleStatusPublisher(String bootstrapServers, String instance) {
        Properties p = KafkaClients.properties(bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
        this.instance = instance;
    }

    @Override
    public void accept(TunedRules.Change change) {
        if (change.accepted()) {
            LOG.info("rule {} {}: accepted", ConsoleFormat.escape(change.key()), change.action());
        } else {
            LOG.warn("rule {} {}: rejected, the last good version stays: {}", ConsoleFormat.escape(change.key()),
                    change.action(), ConsoleFormat.escape(change.reason()));
        }
        producer.send(new ProducerRecord<>(Topics.RULES_STATUS, change.key(), json(change, instance)), (meta, e) -> {
            if (e != null) {
                LOG.warn("cannot report the status of rule {}: {}", ConsoleFormat.escape(change.key()), e.toString());
            }
        });
    }

    static String json(TunedRules.Change change, String instance) {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("rule", change.key());
        status.put("action", change.action());
        status.put("accepted", change.accepted());
        status.put("reason", change.reason());
        status.put("instance", instance);
        try {
            return AuditEventReader.mapper().writeValueAsString(status);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings always serialises", e);
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
