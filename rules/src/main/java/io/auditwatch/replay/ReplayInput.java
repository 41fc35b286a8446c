package io.auditwatch.replay;

import java.io.IOException;
import java.util.function.LongConsumer;

/** One source of audit payloads for a replay: a log file, standard input, a partition of a topic. */
public interface ReplayInput {
    /** How the analyst named it: the file's path, {@code -}, {@code topic[partition]}. */
    String name();

    /** The bytes {@link #read} will consume, or -1 when unknown (standard input); for progress only. */
    long size();

    /**
     * Delivers every payload in order, reporting the bytes consumed as it goes (in blocks, not per payload).
     *
     * @throws io.auditwatch.formats.AuditLogFiles.DamagedLogException when the input broke off; what came before
     *                                                             was delivered
     */
    void read(Payloads payloads, LongConsumer bytesRead) throws IOException;

    interface Payloads {
        /**
         * @param position     where the payload starts: a line number, an offset
         * @param fallbackTime the time for events that carry none (the file's modification time, the record's)
         */
        void accept(byte[] payload, long position, long fallbackTime);
    }
}
