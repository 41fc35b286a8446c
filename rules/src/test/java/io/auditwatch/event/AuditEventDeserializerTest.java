package io.auditwatch.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The hand-written binding against Jackson's bean binding of the same model: same events, same refusals. */
class AuditEventDeserializerTest {
    private static final ObjectMapper HAND = AuditEventReader.mapper();
    /** The same mapper binding AuditEvent as a plain bean, as before the hand-written deserializer. */
    private static final ObjectMapper BEAN = HAND.copy().addMixIn(AuditEvent.class, BeanBinding.class);

    @JsonDeserialize(using = JsonDeserializer.None.class)
    private abstract static class BeanBinding {
        @JsonAnySetter
        abstract void putOther(String name, JsonNode value);
    }

    /** What binding made of the input: the event written out again, or the failure's type and message. */
    private static String outcome(ObjectMapper mapper, String json) {
        try {
            AuditEvent event = mapper.readValue(json, AuditEvent.class);
            return event == null ? "null" : mapper.writeValueAsString(event);
        } catch (IOException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    @Test
    void shouldBindEveryRecordedEventAsBeanBindingDoes() throws IOException {
        List<String> lines = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("../replay-data"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".jsonl")).sorted().toList()) {
                Files.readAllLines(file).stream().filter(line -> line.startsWith("{")).forEach(lines::add);
            }
        }
        assertTrue(lines.size() > 300, "replay-data's events: " + lines.size());
        for (String line : lines) {
            assertEquals(outcome(BEAN, line), outcome(HAND, line), line);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{}",
            "{\"verb\":null,\"user\":null,\"objectRef\":null,\"responseStatus\":null,\"annotations\":null,\"sourceIPs\":null}",
            "{\"requestObject\":null,\"responseObject\":{\"a\":[1,{\"b\":null}]},\"unknown\":null,\"more\":[1,\"x\"]}",
            "{\"verb\":\"get\",\"verb\":\"list\"}",
            "{\"verb\":5}",
            "{\"verb\":1.5}",
            "{\"verb\":true}",
            "{\"verb\":{\"a\":1}}",
            "{\"verb\":[\"get\"]}",
            "{\"user\":\"alice\"}",
            "{\"user\":{\"username\":\"a\",\"groups\":[\"g\",null],\"extra\":{\"k\":[\"v\"],\"n\":null},\"other\":{\"x\":1}}}",
            "{\"user\":{\"username\":7}}",
            "{\"user\":{\"groups\":\"g\"}}",
            "{\"user\":{\"extra\":{\"k\":\"v\"}}}",
            "{\"user\":{\"extra\":[]}}",
            "{\"impersonatedUser\":{\"username\":\"system:node:n1\",\"groups\":[]}}",
            "{\"sourceIPs\":\"10.0.0.1\"}",
            "{\"sourceIPs\":[1]}",
            "{\"sourceIPs\":[\"10.0.0.1\",null]}",
            "{\"objectRef\":{\"resource\":\"pods\",\"name\":null,\"extra\":{\"deep\":[1]}}}",
            "{\"objectRef\":{\"resource\":4}}",
            "{\"objectRef\":[]}",
            "{\"responseStatus\":{\"code\":403,\"metadata\":{},\"status\":\"Failure\",\"reason\":\"Forbidden\",\"message\":\"m\"}}",
            "{\"responseStatus\":{\"code\":\"200\"}}",
            "{\"responseStatus\":{\"code\":200.0}}",
            "{\"responseStatus\":{\"code\":20000000000}}",
            "{\"responseStatus\":{\"code\":null}}",
            "{\"annotations\":{\"a\":\"b\",\"c\":null}}",
            "{\"annotations\":{\"a\":1}}",
            "{\"annotations\":[]}",
            "{\"auditwatch\":{\"cluster\":\"c\",\"eventTime\":5}}",
            "{\"auditwatch\":null}",
            "{\"kind\":\"EventList\",\"items\":[{\"verb\":\"get\"}]}",
            "{\"verb\":\"get\",\"user\":{\"username\":\"a\"",
            "{\"objectRef\":{\"foo\":{\"a\":",
            "{\"responseStatus\":{\"code\":200,\"metadata\":{\"x\":[",
            "{\"verb\":\"get\",\"other\":{\"a\":tru}}",
            "{\"verb\":\"get\" \"stage\":\"x\"}",
            "null"})
    void shouldTreatOddShapesAsBeanBindingDoes(String json) {
        assertEquals(outcome(BEAN, json), outcome(HAND, json));
    }

    /** Not an object at all: refused alike, in words of its own (bean binding looked for a String creator). */
    @ParameterizedTest
    @ValueSource(strings = {"\"text\"", "5", "[]", "true"})
    void shouldRefuseWhatIsNoObjectAsBeanBindingDoes(String json) {
        assertEquals(outcome(BEAN, json).split(":")[0], outcome(HAND, json).split(":")[0]);
        assertTrue(outcome(HAND, json).startsWith("MismatchedInputException"), outcome(HAND, json));
    }
}
