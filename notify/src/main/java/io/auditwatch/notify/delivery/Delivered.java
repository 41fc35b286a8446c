package io.auditwatch.notify.delivery;

/** Which message reached which destination: what keeps a redelivered alert from being posted twice. */
public interface Delivered {
    boolean contains(String destination, String messageId);

    /** Remembers a delivery before its alert's offset may be committed. */
    void record(String destination, String messageId);
}
