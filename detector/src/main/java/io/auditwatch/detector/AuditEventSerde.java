package io.auditwatch.detector;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import io.auditwatch.event.AuditEvent;
import io.auditwatch.event.AuditEventReader;
import io.auditwatch.event.ReadResult;
import java.io.IOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Parsed events across the repartition and forward topics: the event model with auditwatch's provenance (event
 * time, cluster) as CBOR, bound straight back into the model. CBOR is JSON's data model in binary, so nothing
 * is lost, and it is cheaper than JSON both ways: these hops were a quarter of the stream thread's time.
 * Records written as JSON by an earlier version (still in a topic after an upgrade) are read as before.
 */
final class AuditEventSerde {
    private static final ObjectMapper CBOR = AuditEventReader.mapper().copyWith(new CBORFactory());
    /** A JSON object starts with '{'; a CBOR map's first byte is 0xA0-0xBF. */
    private static final byte JSON_OBJECT = '{';

    private AuditEventSerde() {
    }

    static Serde<AuditEvent> create(AuditEventReader reader) {
        return Serdes.serdeFrom(new EventSerializer(), deserializer(reader));
    }

    private static Deserializer<AuditEvent> deserializer(AuditEventReader reader) {
        return (topic, bytes) -> {
            if (bytes == null || bytes.length == 0) {
                throw new SerializationException("empty audit event on " + topic);
            }
            if (bytes[0] == JSON_OBJECT) {
                return readJson(reader, topic, bytes);
            }
            try {
                AuditEvent event = CBOR.readValue(bytes, AuditEvent.class);
                if (event == null || event.provenance == null) {
                    throw new SerializationException("not an audit event written by auditwatch on " + topic);
                }
                return event;
            } catch (IOException e) {
                throw new SerializationException("unreadable audit event on " + topic + ": " + e.getMessage(), e);
            }
        };
    }

    private static AuditEvent readJson(AuditEventReader reader, String topic, byte[] bytes) {
        ReadResult result = reader.read(bytes, 0);
        if (result.events().size() != 1) {
            throw new SerializationException("not a single audit event on " + topic + ": "
                    + (result.rejections().isEmpty() ? "" : result.rejections().get(0).message()));
        }
        return result.events().get(0);
    }

    /**
     * An event bound for both repartitions (a pod write, a node credential's read) is encoded once: the
     * serializer keeps the last event it encoded on this thread and gives the same bytes for the same instance.
     */
    private static final class EventSerializer implements Serializer<AuditEvent> {
        private final ThreadLocal<Encoded> last = new ThreadLocal<>();

        private record Encoded(AuditEvent event, byte[] bytes) {
        }

        @Override
        public byte[] serialize(String topic, AuditEvent event) {
            Encoded previous = last.get();
            if (previous != null && previous.event() == event) {
                return previous.bytes();
            }
            try {
                byte[] bytes = CBOR.writeValueAsBytes(event);
                last.set(new Encoded(event, bytes));
                return bytes;
            } catch (IOException e) {
                throw new SerializationException("cannot serialise audit event " + event.auditID, e);
            }
        }
    }
}
