package io.auditwatch.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EventCodecTest {
    private static final ObjectMapper JSON = AuditEventReader.mapper();
    private static final AuditEventReader READER = new AuditEventReader(AuditEventReader.DEFAULT_MAX_EVENT_BYTES, "prod-eu");

    /** The event as JSON, provenance included: what every field holds, compared field for field. */
    private static String json(AuditEvent event) throws IOException {
        return JSON.writeValueAsString(event);
    }

    private static AuditEvent roundTrip(AuditEvent event) {
        return EventCodec.decode(EventCodec.encode(event));
    }

    @Test
    void shouldGiveBackEveryRecordedEventFieldForField() throws IOException {
        int events = 0;
        try (Stream<Path> files = Files.walk(Path.of("../replay-data"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".jsonl")).sorted().toList()) {
                for (String line : Files.readAllLines(file)) {
                    for (AuditEvent event : READER.read(line.getBytes(StandardCharsets.UTF_8), 1_700_000_000_000L).events()) {
                        AuditEvent back = roundTrip(event);
                        assertEquals(json(event), json(back), line);
                        assertEquals(event.eventTimeMillis(), back.eventTimeMillis());
                        assertEquals(event.identity(), back.identity());
                        events++;
                    }
                }
            }
        }
        assertTrue(events > 300, "replay-data's events: " + events);
    }

    /**
     * Shapes that bind to nulls, JSON nulls, empty and odd values (bound as they are: the reader would refuse most
     * of them, for want of an auditID): each must come back as it was bound.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "{}",
            "{\"verb\":null,\"user\":null,\"objectRef\":null,\"responseStatus\":null,\"annotations\":null,\"sourceIPs\":null}",
            "{\"requestObject\":null,\"responseObject\":{\"a\":[1,{\"b\":null}],\"f\":1.5,\"big\":123456789012345678901234567890},\"unknown\":null,\"more\":[1,\"x\",true]}",
            "{\"user\":{\"username\":\"a\",\"groups\":[\"g\",null],\"extra\":{\"k\":[\"v\"],\"n\":null,\"e\":[]}}}",
            "{\"user\":{\"groups\":[]},\"impersonatedUser\":{\"username\":\"system:node:n1\"}}",
            "{\"sourceIPs\":[\"10.0.0.1\",null],\"annotations\":{},\"objectRef\":{}}",
            "{\"annotations\":{\"k\":null,\"authorization.k8s.io/decision\":\"allow\"}}",
            "{\"responseStatus\":{\"code\":-2147483648},\"objectRef\":{\"name\":\"\"}}",
            "{\"responseStatus\":{\"status\":\"Failure\"},\"verb\":\"\"}",
            "{\"user\":{\"username\":\"jos\u00e9 \u00fc\u4e2d\ud83d\ude00\"},\"requestURI\":\"/api?q=\u00e9\"}",
            "{\"user\":{\"username\":\"lone \\ud800 surrogate\"},\"verb\":\"\\udc00\"}",
            "{\"kind\":\"Event\",\"timestamp\":\"2017-09-01T12:00:00Z\",\"apiVersion\":\"audit.k8s.io/v1beta1\"}"
    })
    void shouldGiveBackOddShapesAsTheyWereBound(String line) throws IOException {
        AuditEvent event = JSON.readValue(line, AuditEvent.class);
        event.provenance = new Provenance("staging", 1_700_000_000_123L, true, "eks", List.of("auditID", "stage"));
        AuditEvent back = roundTrip(event);
        assertEquals(json(event), json(back));
        assertEquals(event.timestampFallback(), back.timestampFallback());
    }

    /**
     * Every field of the model set, found by reflection: a field added to the model and not to the codec fails
     * here (or the filler below names its type), before an event loses it on a repartition.
     */
    @Test
    void shouldCarryEveryFieldOfTheModel() throws Exception {
        AuditEvent event = new AuditEvent();
        int set = 0;
        for (Field field : AuditEvent.class.getDeclaredFields()) {
            if (field.isAnnotationPresent(JsonProperty.class) && !Modifier.isStatic(field.getModifiers())) {
                field.set(event, fill(field.getType(), field.getName()));
                set++;
            }
        }
        event.putOther("unknownField", JSON.readTree("{\"x\":[1,2.5,\"y\",null,false]}"));
        assertTrue(set >= 20, "fields set: " + set);
        String expected = json(event);
        for (Field field : AuditEvent.class.getDeclaredFields()) {
            if (field.isAnnotationPresent(JsonProperty.class) && !Modifier.isStatic(field.getModifiers())) {
                assertNotNull(field.get(event), field.getName());
            }
        }
        assertEquals(expected, json(roundTrip(event)));
    }

    private static Object fill(Class<?> type, String name) throws Exception {
        if (type == String.class) {
            return "v-" + name;
        } else if (type == List.class) {
            return List.of(name + "-1", name + "-2");
        } else if (type == Map.class && name.equals("annotations")) {
            return new LinkedHashMap<>(Map.of("a/" + name, "v"));
        } else if (type == JsonNode.class) {
            return JSON.readTree("{\"" + name + "\":{\"n\":[1,\"two\"]}}");
        } else if (type == long.class) {
            return 1_700_000_000_321L;
        } else if (type == boolean.class) {
            return true;
        } else if (type == Integer.class) {
            return 403;
        } else if (type.isRecord()) {
            RecordComponent[] components = type.getRecordComponents();
            Object[] values = new Object[components.length];
            for (int i = 0; i < components.length; i++) {
                RecordComponent c = components[i];
                values[i] = c.getType() == Map.class
                        ? Map.of("k-" + c.getName(), List.of("v1", "v2"))
                        : fill(c.getType(), c.getName());
            }
            Class<?>[] types = Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new);
            return type.getDeclaredConstructor(types).newInstance(values);
        }
        throw new AssertionError("no test value for a " + type + " (" + name + "): teach EventCodec and this test");
    }

    @Test
    void shouldRefuseBytesThatAreNotAnEncodedEvent() {
        byte[] encoded = EventCodec.encode(READER.read("{\"verb\":\"get\",\"user\":{\"username\":\"alice\"}}"
                .getBytes(StandardCharsets.UTF_8), 0).events().get(0));
        List<byte[]> broken = new ArrayList<>();
        broken.add(new byte[0]);
        broken.add(new byte[] {'{'});
        broken.add(Arrays.copyOf(encoded, encoded.length - 1));
        broken.add(Arrays.copyOf(encoded, encoded.length + 1));
        byte[] hugeLength = encoded.clone();
        hugeLength[2] = (byte) 0xFF; // the cluster's length, now far past the end
        broken.add(hugeLength);
        for (byte[] bytes : broken) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EventCodec.decode(bytes),
                    Arrays.toString(bytes));
            assertNotNull(e.getMessage());
        }
    }
}
