package io.auditwatch.detector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import io.auditwatch.event.AuditEvent;
import io.auditwatch.event.AuditEventReader;
import io.auditwatch.event.EventCodec;
import io.auditwatch.event.ReadResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

class AuditEventSerdeTest {
    private static final Path UPGRADE = Path.of("../replay-data/upgrade");
    private static final ObjectMapper CBOR = AuditEventReader.mapper().copyWith(new CBORFactory());
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

    private static String jsonUnchecked(AuditEvent event) {
        try {
            return json(withoutProvenance(event));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void shouldCarryEveryFieldAndTheProvenanceOfEveryScenarioEventThroughBinaryRecords() throws IOException {
        for (AuditEvent event : scenarioEvents()) {
            byte[] bytes = serde.serializer().serialize("by-identity", event);
            assertEquals(EventCodec.FORMAT, bytes[0]);
            AuditEvent back = serde.deserializer().deserialize("by-identity", bytes);
            assertEquals(json(event), json(back));
            assertEquals(event.eventTimeMillis(), back.eventTimeMillis());
            assertEquals(event.cluster(), back.cluster());
            assertEquals(event.identity(), back.identity());
        }
    }

    /**
     * The repartition records that auditwatch 0.1.0 (bd6c680) wrote, as replay-data/upgrade recorded them: after an
     * upgrade they are still in the topics, and each must read back as the event its source line is parsed into
     * today.
     */
    @Test
    void shouldReadEveryRepartitionRecordOfThePreviousReleaseAsItsSourceLineIsParsedToday() throws IOException {
        AuditEventReader reader = DetectorConfig.defaults("unused", Path.of("unused")).reader();
        Serde<AuditEvent> current = AuditEventSerde.create(reader);
        Map<String, AuditEvent> sources = new HashMap<>();
        List<String> lines = Files.readAllLines(UPGRADE.resolve("events/phase-1.jsonl"));
        for (String line : lines) {
            reader.read(line.getBytes(StandardCharsets.UTF_8), 0).events().forEach(e -> sources.put(e.auditID + " " + e.stage, e));
        }
        Map<String, Integer> read = new TreeMap<>();
        for (String line : Files.readAllLines(UPGRADE.resolve("0.1.0-bd6c680/records.jsonl"))) {
            JsonNode record = AuditEventReader.mapper().readTree(line);
            String topic = record.get("topic").asText();
            if (!topic.endsWith("-repartition")) {
                continue;
            }
            AuditEvent back = current.deserializer().deserialize(topic, Base64.getDecoder().decode(record.get("value").asText()));
            AuditEvent source = sources.get(back.auditID + " " + back.stage);
            assertNotNull(source, "no source line for " + back.auditID + " " + back.stage);
            assertEquals(json(source), json(back));
            assertEquals(source.eventTimeMillis(), back.eventTimeMillis());
            assertEquals(source.cluster(), back.cluster());
            assertEquals(source.identity(), back.identity());
            read.merge(topic.replaceAll("^auditwatch-detector-|-repartition$", ""), 1, Integer::sum);
        }
        // Every event crossed by-identity once; the node graph's (pod lifecycle, node credentials) by-namespace.
        assertEquals(lines.size(), read.get("by-identity"));
        assertTrue(read.getOrDefault("by-namespace", 0) > 0, "by-namespace records: " + read);
    }

    @Test
    void shouldCarryTheItemsOfAnEventListWithTheirCluster() throws IOException {
        List<AuditEvent> events = scenarioEvents().subList(0, 20);
        String list = "{\"kind\":\"EventList\",\"apiVersion\":\"audit.k8s.io/v1\",\"items\":["
                + String.join(",", events.stream().map(AuditEventSerdeTest::jsonUnchecked).toList()) + "]}";
        List<AuditEvent> items = READER.read(list.getBytes(StandardCharsets.UTF_8), 0, "staging").events();
        assertEquals(20, items.size());
        for (AuditEvent item : items) {
            AuditEvent back = serde.deserializer().deserialize("by-identity", serde.serializer().serialize("by-identity", item));
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
    void shouldReadEventsThatEarlierVersionsWroteAsJsonAsSourceJsonBehindProvenanceAndAsCbor() throws IOException {
        for (AuditEvent event : scenarioEvents().subList(0, 50)) {
            byte[] legacy = AuditEventReader.mapper().writeValueAsBytes(event);
            assertEquals(json(event), json(serde.deserializer().deserialize("by-namespace", legacy)));

            // Round 2's formats: 0x01, the provenance's length and CBOR, then the event's JSON; or all of it as CBOR.
            byte[] provenance = CBOR.writeValueAsBytes(event.provenance);
            byte[] sourceJson = AuditEventReader.mapper().writeValueAsBytes(withoutProvenance(event));
            byte[] behindProvenance = ByteBuffer.allocate(5 + provenance.length + sourceJson.length)
                    .put((byte) 0x01).putInt(provenance.length).put(provenance).put(sourceJson).array();
            AuditEvent fromSourceJson = serde.deserializer().deserialize("by-identity", behindProvenance);
            assertEquals(json(event), json(fromSourceJson));
            assertEquals(event.eventTimeMillis(), fromSourceJson.eventTimeMillis());
            byte[] cbor = CBOR.writeValueAsBytes(event);
            assertEquals(0xA0, cbor[0] & 0xE0, "a CBOR map");
            assertEquals(json(event), json(serde.deserializer().deserialize("by-identity", cbor)));
        }
    }

    private static AuditEvent withoutProvenance(AuditEvent event) throws IOException {
        AuditEvent copy = AuditEventReader.mapper().readValue(AuditEventReader.mapper().writeValueAsBytes(event), AuditEvent.class);
        copy.provenance = null;
        return copy;
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
        byte[] event = serde.serializer().serialize("by-identity", READER.read(
                "{\"kind\":\"Event\",\"auditID\":\"a1\",\"verb\":\"get\"}".getBytes(StandardCharsets.UTF_8), 0).events().get(0));
        SerializationException cut = assertThrows(SerializationException.class,
                () -> serde.deserializer().deserialize("by-namespace", Arrays.copyOf(event, event.length - 3)));
        assertTrue(cut.getMessage().contains("by-namespace"), cut.getMessage());
        SerializationException empty = assertThrows(SerializationException.class,
                () -> serde.deserializer().deserialize("by-namespace", new byte[0]));
        assertTrue(empty.getMessage().contains("by-namespace"), empty.getMessage());
        SerializationException notAnEvent = assertThrows(SerializationException.class,
                () -> serde.deserializer().deserialize("by-identity", "{\"kind\":\"Pod\"}".getBytes(StandardCharsets.UTF_8)));
        assertFalse(notAnEvent.getMessage().isEmpty());
    }
}
