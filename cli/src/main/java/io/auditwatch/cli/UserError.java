package io.auditwatch.cli;

/**
 * A mistake the user can fix (bad value, missing file, unreachable broker, port in use).
 *
 * <p>Commands throw it with a message written for a person; {@link Main} prints exactly one line
 * {@code auditwatch: <message>} to stderr, no stack trace (unless {@code --debug} or {@code AUDITWATCH_DEBUG=1}),
 * and exits with {@link #exitCode()} (1 by default). For a wrong flag or option value prefer picocli's
 * {@code ParameterException}, which exits 2 like every other usage error.
 */
public class UserError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int exitCode;

    public UserError(String message) {
        this(message, null);
    }

    public UserError(String message, Throwable cause) {
        this(message, cause, 1);
    }

    public UserError(String message, Throwable cause, int exitCode) {
        super(message, cause);
        if (exitCode == 0) {
            throw new IllegalArgumentException("a UserError must exit non-zero");
        }
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
