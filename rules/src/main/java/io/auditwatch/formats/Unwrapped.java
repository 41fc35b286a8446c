package io.auditwatch.formats;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One item of a cloud export: a native audit Event (as JSON, still to be bound and validated) with its origin,
 * or, when the item cannot hold one, the reason and the item verbatim.
 */
public record Unwrapped(JsonNode event, CloudOrigin origin, String error, JsonNode item) {

    static Unwrapped event(JsonNode event, CloudOrigin origin) {
        return new Unwrapped(event, origin, null, null);
    }

    static Unwrapped error(String error, JsonNode item) {
        return new Unwrapped(null, null, error, item);
    }

    public boolean isError() {
        return error != null;
    }
}
