package io.auditwatch.notify.routing;

/** A routing file or secret a person must fix; the message says what and where, never a secret's value. */
public final class RoutingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RoutingException(String message) {
        super(message);
    }
}
