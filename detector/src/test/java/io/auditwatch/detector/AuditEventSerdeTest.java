package io.auditwatch.detector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.event.AuditEvent;
import io.auditwatch.event.AuditEventReader;
import io.auditwatch.event.ReadResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

class AuditEventSerdeTest {
    private static final AuditEventReader READER = new AuditEventReader(AuditEventReader.DEFAULT_MAX_EVENT_BYTES, "prod-eu");
    private final Serde<AuditEvent> serde = AuditEventSerde.create(READER);

    /** Every event of every scenario: pods with full specs, secrets, node credentials, tokens, unknown fields. */
    private static List<AuditEvent> scenarioEvents() throws IOException {
        List<AuditEvent> events = new ArrayList<>();
        try (Stream<Path> files = Files.walk(ReplayDifferentialTest.SCENARIOS)) {
            for (Path file : files.filter(f -> f.getFileName().toString().equals("events.jsonl")).toList()) {
                for (String line : Files.readAllLines(file)) {
                    if (!line.isBlank()) {
                        events.addAll(READER.read(line.getBytes(StandardCharsets.UTF_8), 0).events());
                    }
                }
            }
        }
        assertTrue(events.size() > 100, "scenario events found: " + events.size());
        return events;
    }

    private static String json(AuditEvent event) throws IOException {
        return AuditEventReader.mapper().writeValueAsString(event);
    }

    @Test
    void shouldCarryEveryFieldAndTheProvenanceOfEveryScenarioEventThroughBinaryRecords() throws IOException {
        for (AuditEvent event : scenarioEvents()) {
            byte[] bytes = serde.serializer().serialize("by-identity", event);
            assertEquals(0x01, bytes[0], "read as an event of its own: its JSON as read, behind its provenance");
            AuditEvent back = serde.deserializer().deserialize("by-identity", bytes);
            assertEquals(json(event), json(back));
            assertEquals(event.eventTimeMillis(), back.eventTimeMillis());
            assertEquals(event.cluster(), back.cluster());
            assertEquals(event.identity(), back.identity());
        }
    }

    @Test
    void shouldCarryTheItemsOfAnEventListAsCbor() throws IOException {
        List<AuditEvent> events = scenarioEvents().subList(0, 20);
        String list = "{\"kind\":\"EventList\",\"apiVersion\":\"audit.k8s.io/v1\",\"items\":["
                + String.join(",", events.stream().map(e -> new String(e.sourceJson(), StandardCharsets.UTF_8)).toList())
                + "]}";
        List<AuditEvent> items = READER.read(list.getBytes(StandardCharsets.UTF_8), 0, "staging").events();
        assertEquals(20, items.size());
        for (AuditEvent item : items) {
            byte[] bytes = serde.serializer().serialize("by-identity", item);
            assertEquals(0xA0, bytes[0] & 0xE0, "a CBOR map");
            AuditEvent back = serde.deserializer().deserialize("by-identity", bytes);
            assertEquals(json(item), json(back));
            assertEquals("staging", back.cluster());
        }
    }

    @Test
    void shouldKeepAFallbackTimeAndACloudExportsProvenance() throws IOException {
        String noTimestamp = "{\"kind\":\"Event\",\"auditID\":\"a1\",\"stage\":\"ResponseComplete\",\"verb\":\"get\","
                + "\"user\":{\"username\":\"alice\"},\"weird\":{\"n\":1.5,\"list\":[1,\"x\",null,true]}}";
        ReadResult read = READER.read(noTimestamp.getBytes(StandardCharsets.UTF_8), 1_700_000_000_123L, "staging");
        AuditEvent event = read.events().get(0);
        AuditEvent back = serde.deserializer().deserialize("t", serde.serializer().serialize("t", event));
        assertTrue(back.timestampFallback());
        assertEquals(1_700_000_000_123L, back.eventTimeMillis());
        assertEquals("staging", back.cluster());
        assertEquals(json(event), json(back));
    }

    @Test
    void shouldReadEventsThatAnEarlierVersionWroteAsJson() throws IOException {
        for (AuditEvent event : scenarioEvents().subList(0, 50)) {
            byte[] legacy = AuditEventReader.mapper().writeValueAsBytes(event);
            assertEquals(json(event), json(serde.deserializer().deserialize("by-namespace", legacy)));
        }
    }

    @Test
    void shouldEncodeAnEventBoundForBothRepartitionsOnce() throws IOException {
        AuditEvent event = scenarioEvents().get(0);
        byte[] first = serde.serializer().serialize("by-identity", event);
        assertSame(first, serde.serializer().serialize("by-namespace", event));
        AuditEvent copy = serde.deserializer().deserialize("t", first);
        byte[] ofCopy = serde.serializer().serialize("by-identity", copy);
        assertNotSame(first, ofCopy);
        assertEquals(json(event), json(serde.deserializer().deserialize("t", ofCopy)));
    }

    @Test
    void shouldFailWithTheTopicNamedOnBytesThatAreNoEvent() {
        SerializationException garbage = assertThrows(SerializationException.class,
                () -> serde.deserializer().deserialize("by-identity", new byte[] {(byte) 0xBF, 0x61, 0x78}));
        assertTrue(garbage.getMessage().contains("by-identity"), garbage.getMessage());
        SerializationException truncated = assertThrows(SerializationException.class,
                () -> serde.deserializer().deserialize("by-identity", new byte[] {0x01, 0x00, 0x00, 0x10, 0x00, 0x41}));
        assertTrue(truncated.getMessage().contains("by-identity"), truncated.getMessage());
        SerializationException empty = assertThrows(SerializationException.class,
                () -> serde.deserializer().deserialize("by-namespace", new byte[0]));
        assertTrue(empty.getMessage().contains("by-namespace"), empty.getMessage());
        SerializationException notAnEvent = assertThrows(SerializationException.class,
                () -> serde.deserializer().deserialize("by-identity", "{\"kind\":\"Pod\"}".getBytes(StandardCharsets.UTF_8)));
        assertFalse(notAnEvent.getMessage().isEmpty());
    }
}
