package io.auditwatch.formats;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The third-party samples in ../shared/corpora (beside the clone; never copied into the repository). */
final class Corpora {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Corpora() {
    }

    /** Every test log of panther-analysis whose log type is {@code logType}. */
    static List<JsonNode> pantherLogs(String logType) throws IOException {
        List<JsonNode> logs = new ArrayList<>();
        for (String line : Files.readAllLines(dir().resolve("panther-analysis/expectations.jsonl"))) {
            JsonNode test = MAPPER.readTree(line);
            if (logType.equals(test.path("test_log_type").asText())) {
                logs.add(test.get("log"));
            }
        }
        if (logs.isEmpty()) {
            fail("no " + logType + " samples in the panther-analysis corpus");
        }
        return logs;
    }

    static Path dir() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path corpora = d.resolve("shared/corpora");
            if (Files.isDirectory(corpora)) {
                return corpora;
            }
        }
        return fail("shared/corpora not found above " + Path.of("").toAbsolutePath()
                + " (it lives beside the clone: ../shared/corpora)");
    }
}
