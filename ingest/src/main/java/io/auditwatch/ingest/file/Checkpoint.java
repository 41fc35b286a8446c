package io.auditwatch.ingest.file;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Where each followed file stands: its identity (device and inode) and the offset up to which Kafka acknowledged
 * every line, plus the archives read whole. Saved after each acknowledged batch by write-and-rename, so a crash
 * leaves the previous or the new state, never a torn one.
 */
final class Checkpoint {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    record Position(String fileKey, long offset) {
    }

    record State(Map<String, Position> files, TreeSet<String> archives) {
    }

    private final Path file;
    private final State state;

    private Checkpoint(Path file, State state) {
        this.file = file;
        this.state = state;
    }

    static Checkpoint load(Path file) throws IOException {
        if (!Files.exists(file)) {
            return new Checkpoint(file, new State(new TreeMap<>(), new TreeSet<>()));
        }
        try {
            State s = MAPPER.readValue(file.toFile(), new TypeReference<State>() { });
            return new Checkpoint(file, new State(new TreeMap<>(s.files() == null ? Map.of() : s.files()),
                    s.archives() == null ? new TreeSet<>() : new TreeSet<>(s.archives())));
        } catch (IOException e) {
            throw new IOException("checkpoint " + file + " is unreadable (" + e.getMessage()
                    + "); move it away to re-read the files from the start", e);
        }
    }

    Position position(Path path) {
        return state.files().get(path.toString());
    }

    boolean archiveDone(String key) {
        return state.archives().contains(key);
    }

    void advance(Path path, String fileKey, long offset) throws IOException {
        state.files().put(path.toString(), new Position(fileKey, offset));
        save();
    }

    void archiveRead(String key) throws IOException {
        state.archives().add(key);
        save();
    }

    private void save() throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempFile(parent, file.getFileName().toString(), ".tmp");
        MAPPER.writeValue(tmp.toFile(), state);
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
