package io.auditwatch.replay;

import io.auditwatch.formats.AuditLogFiles;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongConsumer;

/** An audit log read from a file or a stream (standard input): JSON lines, one document, plain or gzip. */
public final class LogInput implements ReplayInput {
    private final String name;
    private final Path file;
    private final InputStream stream;

    private LogInput(String name, Path file, InputStream stream) {
        this.name = name;
        this.file = file;
        this.stream = stream;
    }

    public static LogInput file(Path file) {
        return new LogInput(file.toString(), file, null);
    }

    /** A stream read once, to its end, and not closed (standard input). */
    public static LogInput stream(String name, InputStream stream) {
        return new LogInput(name, null, stream);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long size() {
        try {
            return file != null && Files.isRegularFile(file) ? Files.size(file) : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    @Override
    public void read(Payloads payloads, LongConsumer bytesRead) throws IOException {
        // Events without a timestamp take the file's modification time: the latest they can have been written.
        long fallback = file != null ? Files.getLastModifiedTime(file).toMillis() : System.currentTimeMillis();
        AuditLogFiles.Payloads sink = (payload, line) -> payloads.accept(payload, line, fallback);
        if (file == null) {
            AuditLogFiles.forEachPayload(new Counting(stream, bytesRead), sink);
            return;
        }
        try (InputStream in = new Counting(Files.newInputStream(file), bytesRead)) {
            AuditLogFiles.forEachPayload(in, sink);
        }
    }

    /** Reports what the raw (still compressed) stream gave: the splitter reads it in large blocks. */
    private static final class Counting extends FilterInputStream {
        private final LongConsumer bytesRead;

        Counting(InputStream in, LongConsumer bytesRead) {
            super(in);
            this.bytesRead = bytesRead;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                bytesRead.accept(n);
            }
            return n;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                bytesRead.accept(1);
            }
            return b;
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
