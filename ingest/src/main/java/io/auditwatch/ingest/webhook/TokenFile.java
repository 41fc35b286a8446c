package io.auditwatch.ingest.webhook;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bearer token, read from its file and read again when the file changes, so that a rotated Secret (the
 * kubelet swaps the mounted file) takes effect without a restart. The file is read at most once per
 * {@code recheck}; a file that is empty or unreadable keeps the last good token and is logged.
 */
final class TokenFile {
    private static final Logger LOG = LoggerFactory.getLogger(TokenFile.class);

    private final Path file;
    private final long recheckNanos;
    private byte[] token;
    private long checkedAt;
    private boolean warned;

    /** @throws IOException when the file cannot be read or is empty at start */
    TokenFile(Path file, Duration recheck) throws IOException {
        this.file = file;
        this.recheckNanos = recheck.toNanos();
        this.token = read(file);
        this.checkedAt = System.nanoTime();
    }

    private static byte[] read(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (text.isEmpty()) {
            throw new IOException("token file " + file + " is empty");
        }
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Whether {@code presented} is the current token, compared in constant time for equal lengths. */
    boolean matches(byte[] presented) {
        return MessageDigest.isEqual(presented, current());
    }

    private synchronized byte[] current() {
        long now = System.nanoTime();
        if (now - checkedAt >= recheckNanos) {
            checkedAt = now;
            try {
                byte[] fresh = read(file);
                if (!MessageDigest.isEqual(fresh, token)) {
                    LOG.info("bearer token re-read from {}", file);
                }
                token = fresh;
                warned = false;
            } catch (IOException e) {
                if (!warned) { // once per bad spell, not once per request
                    LOG.warn("keeping the previous bearer token: {}", e.getMessage());
                    warned = true;
                }
            }
        }
        return token;
    }
}
