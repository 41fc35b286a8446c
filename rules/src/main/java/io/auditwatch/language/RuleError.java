package io.auditwatch.language;

/** One problem in a rule file, located so that its author can go straight to it. */
public record RuleError(String file, int line, String field, String message) {

    @Override
    public String toString() {
        return file + ":" + line + ": " + (field == null || field.isEmpty() ? "" : field + ": ") + message;
    }
}
