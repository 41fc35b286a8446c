package io.auditwatch.event;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.node.NullNode;
import io.auditwatch.identity.UserInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Binds an audit Event by hand: every event is bound once on the way in and again after each repartition, and
 * parsing and binding were a third of the detector's stream thread and of replay's reading thread; Jackson's bean
 * binding (reflection, a property buffer for each record) took 3.7 µs of a bench event where this takes 2.5.
 * The shapes the API server writes (strings, lists of strings, small objects) take the direct path; anything
 * else (a number where a string belongs, a scalar where an object belongs) is handed to Jackson for that field,
 * so it is accepted or refused exactly as by bean binding. Unknown fields go to {@link AuditEvent#other()};
 * unknown fields of the nested objects are skipped, as their {@code @JsonIgnoreProperties} say.
 */
final class AuditEventDeserializer extends StdDeserializer<AuditEvent> {
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() { };
    private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() { };
    private static final TypeReference<Map<String, List<String>>> STRINGS_MAP = new TypeReference<>() { };

    AuditEventDeserializer() {
        super(AuditEvent.class);
    }

    @Override
    public AuditEvent deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        if (!p.isExpectedStartObjectToken()) {
            return (AuditEvent) ctxt.handleUnexpectedToken(AuditEvent.class, p);
        }
        AuditEvent e = new AuditEvent();
        for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
            p.nextToken();
            try {
                switch (name) {
                    case "kind" -> e.kind = text(p, ctxt);
                    case "apiVersion" -> e.apiVersion = text(p, ctxt);
                    case "level" -> e.level = text(p, ctxt);
                    case "auditID" -> e.auditID = text(p, ctxt);
                    case "stage" -> e.stage = text(p, ctxt);
                    case "requestURI" -> e.requestURI = text(p, ctxt);
                    case "verb" -> e.verb = text(p, ctxt);
                    case "user" -> e.user = user(p, ctxt);
                    case "impersonatedUser" -> e.impersonatedUser = user(p, ctxt);
                    case "sourceIPs" -> e.sourceIPs = texts(p, ctxt);
                    case "userAgent" -> e.userAgent = text(p, ctxt);
                    case "objectRef" -> e.objectRef = objectRef(p, ctxt);
                    case "responseStatus" -> e.responseStatus = responseStatus(p, ctxt);
                    case "requestObject" -> e.requestObject = tree(p, ctxt);
                    case "responseObject" -> e.responseObject = tree(p, ctxt);
                    case "requestReceivedTimestamp" -> e.requestReceivedTimestamp = text(p, ctxt);
                    case "stageTimestamp" -> e.stageTimestamp = text(p, ctxt);
                    case "timestamp" -> e.timestamp = text(p, ctxt);
                    case "annotations" -> e.annotations = map(p, ctxt, STRING_MAP, AuditEventDeserializer::text);
                    case "auditwatch" -> e.provenance = p.currentToken() == JsonToken.VALUE_NULL
                            ? null : ctxt.readValue(p, Provenance.class);
                    default -> e.putOther(name, tree(p, ctxt));
                }
            } catch (JsonProcessingException failure) {
                throw JsonMappingException.wrapWithPath(failure, AuditEvent.class, name);
            }
        }
        return e;
    }

    private static String text(JsonParser p, DeserializationContext ctxt) throws IOException {
        return switch (p.currentToken()) {
            case VALUE_STRING -> p.getText();
            case VALUE_NULL -> null;
            default -> ctxt.readValue(p, String.class);
        };
    }

    /** A JSON null is a NullNode, not null, as for any JsonNode property. */
    private static JsonNode tree(JsonParser p, DeserializationContext ctxt) throws IOException {
        return p.currentToken() == JsonToken.VALUE_NULL ? NullNode.getInstance() : ctxt.readTree(p);
    }

    private static List<String> texts(JsonParser p, DeserializationContext ctxt) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return null;
        }
        if (p.currentToken() != JsonToken.START_ARRAY) {
            return ctxt.readValue(p, type(ctxt, STRINGS));
        }
        List<String> values = new ArrayList<>(4);
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            try {
                values.add(text(p, ctxt));
            } catch (JsonProcessingException failure) {
                throw JsonMappingException.wrapWithPath(failure, values, values.size());
            }
        }
        return values;
    }

    /** Reads one value where the parser stands. */
    @FunctionalInterface
    private interface ValueReader<T> {
        T read(JsonParser p, DeserializationContext ctxt) throws IOException;
    }

    /** A JSON object of values that {@code values} reads (annotations, a user's extra claims). */
    private static <T> Map<String, T> map(JsonParser p, DeserializationContext ctxt, TypeReference<Map<String, T>> type,
                                          ValueReader<T> values) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return null;
        }
        if (p.currentToken() != JsonToken.START_OBJECT) {
            return ctxt.readValue(p, type(ctxt, type));
        }
        Map<String, T> map = new LinkedHashMap<>();
        for (String key = p.nextFieldName(); key != null; key = p.nextFieldName()) {
            p.nextToken();
            try {
                map.put(key, values.read(p, ctxt));
            } catch (JsonProcessingException failure) {
                throw JsonMappingException.wrapWithPath(failure, map, key);
            }
        }
        return map;
    }

    private static UserInfo user(JsonParser p, DeserializationContext ctxt) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            return p.currentToken() == JsonToken.VALUE_NULL ? null : ctxt.readValue(p, UserInfo.class);
        }
        String username = null;
        String uid = null;
        List<String> groups = null;
        Map<String, List<String>> extra = null;
        for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
            p.nextToken();
            boolean known = true;
            try {
                switch (name) {
                    case "username" -> username = text(p, ctxt);
                    case "uid" -> uid = text(p, ctxt);
                    case "groups" -> groups = texts(p, ctxt);
                    case "extra" -> extra = map(p, ctxt, STRINGS_MAP, AuditEventDeserializer::texts);
                    default -> known = false;
                }
            } catch (JsonProcessingException failure) {
                throw JsonMappingException.wrapWithPath(failure, UserInfo.class, name);
            }
            if (!known) {
                p.skipChildren();
            }
        }
        return new UserInfo(username, uid, groups, extra);
    }

    private static ObjectRef objectRef(JsonParser p, DeserializationContext ctxt) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            return p.currentToken() == JsonToken.VALUE_NULL ? null : ctxt.readValue(p, ObjectRef.class);
        }
        String resource = null;
        String namespace = null;
        String name = null;
        String uid = null;
        String apiGroup = null;
        String apiVersion = null;
        String resourceVersion = null;
        String subresource = null;
        for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
            p.nextToken();
            boolean known = true;
            try {
                switch (field) {
                    case "resource" -> resource = text(p, ctxt);
                    case "namespace" -> namespace = text(p, ctxt);
                    case "name" -> name = text(p, ctxt);
                    case "uid" -> uid = text(p, ctxt);
                    case "apiGroup" -> apiGroup = text(p, ctxt);
                    case "apiVersion" -> apiVersion = text(p, ctxt);
                    case "resourceVersion" -> resourceVersion = text(p, ctxt);
                    case "subresource" -> subresource = text(p, ctxt);
                    default -> known = false;
                }
            } catch (JsonProcessingException failure) {
                throw JsonMappingException.wrapWithPath(failure, ObjectRef.class, field);
            }
            if (!known) {
                p.skipChildren();
            }
        }
        return new ObjectRef(resource, namespace, name, uid, apiGroup, apiVersion, resourceVersion, subresource);
    }

    private static ResponseStatus responseStatus(JsonParser p, DeserializationContext ctxt) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            return p.currentToken() == JsonToken.VALUE_NULL ? null : ctxt.readValue(p, ResponseStatus.class);
        }
        Integer code = null;
        String status = null;
        String reason = null;
        String message = null;
        for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
            p.nextToken();
            boolean known = true;
            try {
                switch (field) {
                    case "code" -> code = p.currentToken() == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT
                            ? Integer.valueOf(p.getIntValue()) : ctxt.readValue(p, Integer.class);
                    case "status" -> status = text(p, ctxt);
                    case "reason" -> reason = text(p, ctxt);
                    case "message" -> message = text(p, ctxt);
                    default -> known = false;
                }
            } catch (JsonProcessingException failure) {
                throw JsonMappingException.wrapWithPath(failure, ResponseStatus.class, field);
            }
            if (!known) {
                p.skipChildren();
            }
        }
        return new ResponseStatus(code, status, reason, message);
    }

    private static JavaType type(DeserializationContext ctxt, TypeReference<?> reference) {
        return ctxt.getTypeFactory().constructType(reference);
    }
}
