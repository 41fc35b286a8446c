package io.auditwatch.language;

import java.util.List;
import java.util.stream.Collectors;

/** Rule files that failed to load or validate; carries every error found, not just the first. */
public final class RuleException extends Exception {
    private final transient List<RuleError> errors;

    public RuleException(List<RuleError> errors) {
        super(errors.stream().map(RuleError::toString).collect(Collectors.joining("\n")));
        this.errors = List.copyOf(errors);
    }

    public List<RuleError> errors() {
        return errors;
    }
}
