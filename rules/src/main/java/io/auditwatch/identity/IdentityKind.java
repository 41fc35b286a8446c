package io.auditwatch.identity;

import com.fasterxml.jackson.annotation.JsonValue;

/** Who a credential belongs to. */
public enum IdentityKind {
    USER("user"), SERVICE_ACCOUNT("serviceaccount"), NODE("node");

    private final String json;

    IdentityKind(String json) {
        this.json = json;
    }

    @JsonValue
    public String json() {
        return json;
    }
}
