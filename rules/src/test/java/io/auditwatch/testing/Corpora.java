package io.auditwatch.testing;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * The third-party samples in ../shared/corpora, beside the clone and never copied into the repository. A clone
 * without them skips the tests that read them, saying why (CI has them, so the tests run there).
 */
public final class Corpora {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Corpora() {
    }

    /** {@code ../shared/corpora/<name>} from the repository root; aborts the calling test when it is absent. */
    public static Path dir(String name) {
        Path root = Path.of("").toAbsolutePath();
        if (!Files.isRegularFile(root.resolve("pom.xml")) || !Files.isDirectory(root.resolve("../replay-data"))) {
            fail("tests run in a module directory of the repository, not in " + root);
        }
        Path dir = root.resolve("../../shared/corpora").resolve(name).normalize();
        Assumptions.assumeTrue(Files.isDirectory(dir),
                "the third-party corpus " + name + " is not beside the repository (" + dir + ")");
        return dir;
    }

    /** Every test log of panther-analysis whose log type is {@code logType}. */
    public static List<JsonNode> pantherLogs(String logType) throws IOException {
        List<JsonNode> logs = new ArrayList<>();
        for (String line : Files.readAllLines(dir("panther-analysis").resolve("expectations.jsonl"))) {
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
}
