package io.auditwatch.detector;

import io.auditwatch.event.AuditEvent;
import io.auditwatch.event.AuditEventReader;
import io.auditwatch.event.ReadResult;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/** Parsed events across the repartition topic: their JSON, with auditwatch's provenance (event time, cluster). */
final class AuditEventSerde {
    private AuditEventSerde() {
    }

    static Serde<AuditEvent> create(AuditEventReader reader) {
        Serializer<AuditEvent> serializer = (topic, event) -> {
            try {
                return AuditEventReader.mapper().writeValueAsBytes(event);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new SerializationException("cannot serialise audit event " + event.auditID, e);
            }
        };
        Deserializer<AuditEvent> deserializer = (topic, bytes) -> {
            // The event was validated before it was written; reading it through the same reader keeps one path.
            ReadResult result = reader.read(bytes, 0);
            if (result.events().size() != 1) {
                throw new SerializationException("not a single audit event on " + topic + ": "
                        + (result.rejections().isEmpty() ? "" : result.rejections().get(0).message()));
            }
            return result.events().get(0);
        };
        return Serdes.serdeFrom(serializer, deserializer);
    }

}
