package io.auditwatch.event;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Reject reasons are for people: a plain reason, no Java type or Jackson token names. */
class AuditEventReaderMessagesTest {
    private static final AuditEventReader READER = new AuditEventReader(AuditEventReader.DEFAULT_MAX_EVENT_BYTES, "c");

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "42|expected an audit event (a JSON object), found a number",
        "\"text\"|expected an audit event (a JSON object), found a string",
        "{\"kind\":0}|field kind: expected a string, found a number",
        "{\"verb\":\"get\",\"user\":[]}|field user: expected an object, found an array",
        "{\"verb\":\"get\"} {\"verb\":\"get\"}|more than one JSON value on one line",
        "garbage|Unrecognized token 'garbage' at column 1",
    })
    void shouldRejectWithAPlainReason(String payload, String reason) {
        List<Rejection> rejections = READER.read(payload.getBytes(StandardCharsets.UTF_8), 0).rejections();
        assertEquals(1, rejections.size());
        assertEquals(reason, rejections.get(0).message());
    }
}
