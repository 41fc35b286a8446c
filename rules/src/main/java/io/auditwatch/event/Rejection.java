package io.auditwatch.event;

/**
 * Input that is not an audit event we can use, with a machine-readable reason (for metrics and the DLQ
 * header) and a message a person can act on. {@code raw} is the rejected input, verbatim, so nothing is lost.
 */
public record Rejection(Reason reason, String message, byte[] raw) {

    public enum Reason {
        NOT_JSON("not-json"),
        TRUNCATED_JSON("truncated-json"),
        OVERSIZED("oversized"),
        WRONG_FIELD_TYPE("wrong-field-type"),
        NOT_AN_AUDIT_EVENT("not-an-audit-event"),
        EMPTY("empty");

        private final String code;

        Reason(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }
    }
}
