package io.auditwatch.replay;

import io.auditwatch.event.AuditEvent;
import io.auditwatch.event.AuditEventReader;
import io.auditwatch.formats.AuditLogFiles;
import io.auditwatch.event.ReadResult;
import io.auditwatch.event.Rejection;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Turns what an analyst names on the command line into the inputs of a replay: files as given, {@code -} for
 * standard input, directories (recursively) and globs, whose files are replayed in the order of their first
 * event, so rotated logs come out oldest first whatever their names. In a directory or a glob, files that are
 * neither JSON nor gzip (a README, a policy file), or JSON whose first record is no audit event (alerts), are
 * left out and listed.
 */
public final class ReplayInputs {
    private ReplayInputs() {
    }

    /** The inputs in replay order, and the files of directories and globs that were left out, with why. */
    public record Resolved(List<ReplayInput> inputs, List<String> skipped) {
    }

    /**
     * @throws NoSuchFileException for a name that is neither a file, a directory, {@code -} nor a glob that matches
     */
    public static Resolved resolve(List<String> args, InputStream stdin, AuditEventReader reader) throws IOException {
        List<ReplayInput> inputs = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (String arg : args) {
            if (arg.equals("-")) {
                inputs.add(LogInput.stream("-", stdin));
                continue;
            }
            Path path = Path.of(arg);
            if (Files.isDirectory(path)) {
                inputs.addAll(inTimeOrder(logsIn(walk(path), skipped), reader, skipped));
            } else if (Files.exists(path)) {
                inputs.add(LogInput.file(path)); // also /dev/stdin, a named pipe
            } else if (isGlob(arg)) {
                List<Path> matches = glob(arg);
                if (matches.isEmpty()) {
                    throw new NoSuchFileException(arg, null, "no file matches");
                }
                inputs.addAll(inTimeOrder(logsIn(matches, skipped), reader, skipped));
            } else {
                throw new NoSuchFileException(arg);
            }
        }
        return new Resolved(List.copyOf(inputs), List.copyOf(skipped));
    }

    private static boolean isGlob(String arg) {
        return arg.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{');
    }

    private static List<Path> walk(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .filter(f -> !f.getFileName().toString().startsWith("."))
                    .toList();
        }
    }

    /** A glob's files: walked from its longest directory prefix without wildcards. */
    private static List<Path> glob(String pattern) throws IOException {
        Path base = Path.of(pattern).isAbsolute() ? Path.of(pattern).getRoot() : Path.of("");
        for (Path part : Path.of(pattern)) {
            if (isGlob(part.toString())) {
                break;
            }
            base = base.resolve(part);
        }
        if (!Files.isDirectory(base)) {
            return List.of();
        }
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
        List<Path> matches = new ArrayList<>();
        for (Path file : walk(base)) {
            if (matcher.matches(file) || matcher.matches(file.normalize())) {
                matches.add(file);
            }
        }
        return matches;
    }

    /** The files that start like an audit log (JSON, gzip, a CloudWatch export line); the others go to skipped. */
    private static List<Path> logsIn(List<Path> files, List<String> skipped) throws IOException {
        List<Path> logs = new ArrayList<>();
        for (Path file : files) {
            byte[] head;
            try (InputStream in = Files.newInputStream(file)) {
                head = in.readNBytes(64);
            }
            int i = 0;
            while (i < head.length && Character.isWhitespace(head[i])) {
                i++;
            }
            if (i == head.length) {
                skipped.add(file + ": empty");
            } else if (AuditLogFiles.isGzip(head) || head[i] == '{' || head[i] == '[' || Character.isDigit(head[i])) {
                logs.add(file);
            } else {
                skipped.add(file + ": neither JSON nor gzip");
            }
        }
        return logs;
    }

    private record Dated(Path file, long time) {
    }

    /** In event-time order; files whose first record is JSON but no audit event (alert files, say) go to skipped. */
    private static List<ReplayInput> inTimeOrder(List<Path> files, AuditEventReader reader, List<String> skipped)
            throws IOException {
        List<Dated> dated = new ArrayList<>();
        for (Path file : files) {
            long modified = Files.getLastModifiedTime(file).toMillis();
            ReadResult first = firstPayload(file, reader, modified);
            if (first != null && first.events().isEmpty() && !first.rejections().isEmpty()
                    && first.rejections().get(0).reason() == Rejection.Reason.NOT_AN_AUDIT_EVENT) {
                skipped.add(file + ": not audit events (" + first.rejections().get(0).message() + ")");
                continue;
            }
            long time = first == null ? modified
                    : first.events().stream().mapToLong(AuditEvent::eventTimeMillis).min().orElse(modified);
            dated.add(new Dated(file, time));
        }
        dated.sort(Comparator.comparingLong(Dated::time).thenComparing(Dated::file));
        return dated.stream().map(d -> (ReplayInput) LogInput.file(d.file())).toList();
    }

    /** What the file's first payload holds, or null when it has none or breaks off before it. */
    private static ReadResult firstPayload(Path file, AuditEventReader reader, long fallbackTime) throws IOException {
        ReadResult[] first = {null};
        try (InputStream in = Files.newInputStream(file)) {
            AuditLogFiles.forEachPayload(in, (payload, line) -> {
                first[0] = reader.read(payload, fallbackTime);
                throw new FirstPayloadRead();
            });
        } catch (FirstPayloadRead | AuditLogFiles.DamagedLogException e) {
            // enough read; a damaged file is reported when it is replayed
        }
        return first[0];
    }

    /** Stops reading a file after its first payload. */
    private static final class FirstPayloadRead extends RuntimeException {
        private static final long serialVersionUID = 1L;

        FirstPayloadRead() {
            super(null, null, false, false);
        }
    }
}
