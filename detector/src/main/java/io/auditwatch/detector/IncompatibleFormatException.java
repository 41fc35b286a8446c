package io.auditwatch.detector;

/**
 * This detector cannot work beside another version of auditwatch on its application id: an instance of the group
 * advertises another wire format, or a record on an internal topic is in a newer auditwatch's format. The message
 * names both versions and what the operator does (every instance of the group upgraded together).
 */
public final class IncompatibleFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    static final String WHAT_TO_DO = "upgrade every instance of the application id together: scale the detector to"
            + " zero, wait until its consumer group has no members, deploy the new version, scale up"
            + " (docs/architecture.md#upgrades)";

    IncompatibleFormatException(String message) {
        super(message);
    }
}
