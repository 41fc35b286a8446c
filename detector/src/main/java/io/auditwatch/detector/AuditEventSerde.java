package io.auditwatch.detector;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import io.auditwatch.event.AuditEvent;
import io.auditwatch.event.AuditEventReader;
import io.auditwatch.event.EventCodec;
import io.auditwatch.event.Provenance;
import io.auditwatch.event.ReadResult;
import io.auditwatch.event.WireFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.OptionalInt;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Parsed events across the repartition and forward topics, with auditwatch's provenance (event time, cluster),
 * in {@link EventCodec}'s binary form: reading it back copies each field, where the event's JSON had to be parsed
 * again after every hop (a fifth of the stream thread). Records that an earlier version wrote (still in a topic
 * after an upgrade) are read as before: JSON, the source JSON behind a CBOR provenance ({@code 0x01}), or CBOR. A
 * record in a newer auditwatch's EventCodec form is an {@link IncompatibleFormatException}, not an unreadable one.
 */
final class AuditEventSerde {
    private static final ObjectMapper JSON = AuditEventReader.mapper();
    private static final ObjectMapper CBOR = JSON.copyWith(new CBORFactory());
    /** First byte of each format: a JSON object starts with '{', a CBOR map with 0xA0-0xBF. */
    private static final byte JSON_OBJECT = '{';
    private static final byte SOURCE_JSON = 0x01;
    private static final int HEADER = 5;

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
                return readLegacyJson(reader, topic, bytes);
            }
            OptionalInt newer = WireFormat.newerEventFormat(bytes[0]);
            if (newer.isPresent()) {
                // Retrying cannot help: this instance must stop and leave the record to the newer ones.
                throw new IncompatibleFormatException("a record on " + topic + " is in event format "
                        + newer.getAsInt() + ", which a newer auditwatch wrote; this one reads event formats up to "
                        + EventCodec.FORMAT + " (wire format " + WireFormat.VERSION + "). An instance of a newer"
                        + " version runs beside this one: " + IncompatibleFormatException.WHAT_TO_DO + ".");
            }
            try {
                AuditEvent event;
                if (bytes[0] == EventCodec.FORMAT) {
                    event = EventCodec.decode(bytes);
                } else if (bytes[0] == SOURCE_JSON) {
                    int length = bytes.length < HEADER ? -1 : ByteBuffer.wrap(bytes, 1, 4).getInt();
                    if (length < 0 || HEADER + length > bytes.length) {
                        throw new SerializationException("truncated audit event on " + topic);
                    }
                    Provenance provenance = CBOR.readValue(bytes, HEADER, length, Provenance.class);
                    event = JSON.readValue(bytes, HEADER + length, bytes.length - HEADER - length, AuditEvent.class);
                    if (event != null) {
                        event.provenance = provenance;
                    }
                } else {
                    event = CBOR.readValue(bytes, AuditEvent.class);
                }
                if (event == null || event.provenance == null) {
                    throw new SerializationException("not an audit event written by auditwatch on " + topic);
                }
                return event;
            } catch (IOException | IllegalArgumentException e) {
                throw new SerializationException("unreadable audit event on " + topic + ": " + e.getMessage(), e);
            }
        };
    }

    private static AuditEvent readLegacyJson(AuditEventReader reader, String topic, byte[] bytes) {
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
            byte[] bytes;
            try {
                bytes = EventCodec.encode(event);
            } catch (IllegalArgumentException e) {
                throw new SerializationException("cannot serialise audit event " + event.auditID, e);
            }
            last.set(new Encoded(event, bytes));
            return bytes;
        }
    }
}
