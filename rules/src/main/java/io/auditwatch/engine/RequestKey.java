package io.auditwatch.engine;

import io.auditwatch.event.AuditEvent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Identifies one API request across the stages it was logged at and the webhook's retries: auditID plus
 * user and receive time (an auditID alone can be forged by a client through the Audit-ID header).
 * Events without an auditID (common in exported samples) fall back to a digest of the request's own fields.
 */
public final class RequestKey {
    /** One per thread: looking the algorithm up costs more than hashing a key. */
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    });

    private RequestKey() {
    }

    public static String of(AuditEvent e) {
        String received = e.requestReceivedTimestamp != null ? e.requestReceivedTimestamp : e.timestamp;
        if (e.auditID != null && !e.auditID.isEmpty()) {
            return e.auditID + "|" + e.username() + "|" + received;
        }
        return "h:" + digest(e.username() + "|" + e.verb + "|" + e.requestURI + "|" + received + "|"
                + e.sourceIPs + "|" + e.userAgent, 32);
    }

    /** Lower-case hex of SHA-256, cut to {@code hexChars}. */
    public static String digest(String text, int hexChars) {
        byte[] hash = SHA_256.get().digest(text.getBytes(StandardCharsets.UTF_8));
        String hex = HexFormat.of().formatHex(hash, 0, (hexChars + 1) / 2);
        return hex.length() == hexChars ? hex : hex.substring(0, hexChars);
    }
}
