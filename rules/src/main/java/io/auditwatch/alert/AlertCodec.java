package io.auditwatch.alert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.auditwatch.event.AuditEventReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Alerts to and from their JSON form (the value of {@code auditwatch.alerts} records and alert files). */
public final class AlertCodec {
    private static final ObjectMapper MAPPER = AuditEventReader.mapper();

    private AlertCodec() {
    }

    public static String toJson(Alert alert) {
        try {
            return MAPPER.writeValueAsString(alert);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] toBytes(Alert alert) {
        return toJson(alert).getBytes(StandardCharsets.UTF_8);
    }

    public static Alert fromJson(byte[] json) {
        try {
            return MAPPER.readValue(json, Alert.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Alert fromJson(String json) {
        return fromJson(json.getBytes(StandardCharsets.UTF_8));
    }
}
