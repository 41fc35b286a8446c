package io.auditwatch.formats;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Splits an audit log into payloads for {@link AuditEventReader}: JSON lines (what kube-apiserver's
 * {@code --audit-log-path} writes), or one JSON document (an EventList or array, pretty-printed or not).
 * Gzip is recognised by its magic bytes, whatever the file is called (rotated logs are often renamed). A log
 * whose first line is not a whole JSON object is read as one document.
 */
public final class AuditLogFiles {
    private static final int BLOCK = 1 << 16;

    private AuditLogFiles() {
    }

    /** Receives each payload with the number of the line it starts on (1 for a single document). */
    public interface Payloads {
        void accept(byte[] payload, long line);
    }

    /**
     * The log could not be read to its end: a truncated or corrupt gzip stream, or an I/O error. Every payload
     * before {@link #line()} was delivered.
     */
    public static final class DamagedLogException extends IOException {
        private static final long serialVersionUID = 1L;
        private final long line;

        DamagedLogException(long line, String reason, IOException cause) {
            super(reason, cause);
            this.line = line;
        }

        /** The line being read when the log broke off. */
        public long line() {
            return line;
        }
    }

    public static void forEachPayload(Path file, Consumer<byte[]> payloads) throws IOException {
        try (InputStream raw = Files.newInputStream(file)) {
            forEachPayload(raw, (payload, line) -> payloads.accept(payload));
        }
    }

    /** Reads {@code raw} (plain or gzip) to its end; the caller closes it. */
    public static void forEachPayload(InputStream raw, Payloads payloads) throws IOException {
        long[] line = {1};
        try {
            split(decompressed(raw), payloads, line);
        } catch (EOFException e) {
            throw new DamagedLogException(line[0], "the compressed data ends early (a truncated .gz)", e);
        } catch (ZipException e) {
            throw new DamagedLogException(line[0], "corrupt gzip data (" + e.getMessage() + ")", e);
        } catch (DamagedLogException e) {
            throw e;
        } catch (IOException e) {
            throw new DamagedLogException(line[0], "read error (" + e.getMessage() + ")", e);
        }
    }

    /** True when {@code head} starts with gzip's magic bytes. */
    public static boolean isGzip(byte[] head) {
        return head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b;
    }

    private static InputStream decompressed(InputStream raw) throws IOException {
        BufferedInputStream in = new BufferedInputStream(raw, BLOCK);
        in.mark(2);
        byte[] magic = in.readNBytes(2);
        in.reset();
        return isGzip(magic) ? new GZIPInputStream(in, BLOCK) : in;
    }

    private static void split(InputStream in, Payloads payloads, long[] line) throws IOException {
        // The head decides the shape; it is read without mark/reset so that a log broken off inside it still
        // yields the lines before the break.
        byte[] block = new byte[BLOCK];
        int head = 0;
        IOException failure = null;
        try {
            for (int n = 0; n != -1 && head < BLOCK; n = in.read(block, head, BLOCK - head)) {
                head += n;
            }
        } catch (IOException e) {
            failure = e;
        }
        if (failure == null && isSingleDocument(block, head)) {
            ByteArrayOutputStream all = new ByteArrayOutputStream(head);
            all.write(block, 0, head);
            in.transferTo(all);
            byte[] bytes = all.toByteArray();
            if (!isBlank(bytes)) {
                payloads.accept(bytes, 1);
            }
            return;
        }
        // A block at a time: byte-by-byte reads cost replay a fifth of its time.
        ByteArrayOutputStream pending = new ByteArrayOutputStream(4096);
        feed(block, head, pending, payloads, line);
        if (failure != null) {
            throw failure; // the line being read is incomplete: it is reported, not passed on
        }
        for (int n = in.read(block); n != -1; n = in.read(block)) {
            feed(block, n, pending, payloads, line);
        }
        emit(pending, payloads, line[0]);
    }

    private static void feed(byte[] block, int n, ByteArrayOutputStream pending, Payloads payloads, long[] line) {
        int from = 0;
        for (int i = 0; i < n; i++) {
            if (block[i] == '\n') {
                pending.write(block, from, i - from);
                emit(pending, payloads, line[0]);
                line[0]++;
                from = i + 1;
            }
        }
        pending.write(block, from, n - from);
    }

    private static void emit(ByteArrayOutputStream pending, Payloads payloads, long line) {
        if (pending.size() > 0) {
            byte[] bytes = pending.toByteArray();
            pending.reset();
            if (!isBlank(bytes)) {
                payloads.accept(bytes, line);
            }
        }
    }

    private static boolean isSingleDocument(byte[] head, int length) {
        int start = 0;
        while (start < length && Character.isWhitespace(head[start])) {
            start++;
        }
        if (start == length) {
            return false;
        }
        if (head[start] == '[') {
            return true;
        }
        int end = start;
        while (end < length && head[end] != '\n') {
            end++;
        }
        if (end == length) {
            return false; // one long line: JSON lines with a big first event
        }
        int last = end - 1;
        while (last > start && Character.isWhitespace(head[last])) {
            last--;
        }
        return head[start] == '{' && head[last] != '}';
    }

    private static boolean isBlank(byte[] bytes) {
        for (byte b : bytes) {
            if (!Character.isWhitespace(b)) {
                return false;
            }
        }
        return true;
    }
}
