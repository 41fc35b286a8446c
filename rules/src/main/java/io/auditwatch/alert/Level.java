package io.auditwatch.alert;

import com.fasterxml.jackson.annotation.JsonValue;

/** Sigma's levels, lowest first. */
public enum Level {
    INFORMATIONAL, LOW, MEDIUM, HIGH, CRITICAL;

    @JsonValue
    public String json() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
