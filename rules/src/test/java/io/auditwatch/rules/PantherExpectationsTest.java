package io.auditwatch.rules;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditwatch.engine.Detection;
import io.auditwatch.event.AuditEvent;
import io.auditwatch.event.AuditEventReader;
import io.auditwatch.event.ReadResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Panther's labelled test events (../shared/corpora/panther-analysis, not part of the repository; skipped when
 * absent) judged by the default pack: an event counts as detected when any rule that names the Panther rule as
 * an equivalent matches it. Threshold rules label single events, not alerts, so only rules without a threshold
 * count. Events that the reader does not turn into an audit Event (AKS and GKE wrappers, until the cloud
 * adapters read them) are not comparable and are reported apart.
 */
class PantherExpectationsTest {
    static final Path CORPUS = Path.of("../../shared/corpora/panther-analysis/expectations.jsonl");

    @Test
    void shouldClassifyAtLeastNinetyPercentOfTheComparableLabelledEventsAsLabelled() throws IOException {
        assumeTrue(Files.isRegularFile(CORPUS), "Panther corpus not found at " + CORPUS.toAbsolutePath());
        List<Detection> pack = RuleSet.defaults().detections();
        AuditEventReader reader = new AuditEventReader(AuditEventReader.DEFAULT_MAX_EVENT_BYTES, "panther");
        int comparable = 0;
        int agreed = 0;
        Map<String, Integer> notComparable = new TreeMap<>();
        Map<String, List<String>> disagreements = new TreeMap<>();
        for (String line : Files.readAllLines(CORPUS)) {
            JsonNode c = AuditEventReader.mapper().readTree(line);
            if (c.path("threshold").asInt(1) > 1) {
                continue;
            }
            ReadResult read = reader.read(AuditEventReader.mapper().writeValueAsBytes(c.path("log")), 0);
            List<AuditEvent> events = read.events();
            if (events.isEmpty()) {
                notComparable.merge(c.path("test_log_type").asText() + " " + read.rejections().get(0).reason().code(),
                        1, Integer::sum);
                continue;
            }
            String equivalent = "panther:" + c.path("rule_id").asText();
            boolean fired = pack.stream().filter(d -> d.rule().equivalents().contains(equivalent))
                    .anyMatch(d -> events.stream().anyMatch(d::matches));
            comparable++;
            if (fired == c.path("expected_result").asBoolean()) {
                agreed++;
            } else {
                disagreements.computeIfAbsent(c.path("rule_id").asText(), k -> new ArrayList<>())
                        .add(c.path("test_name").asText() + " (labelled " + c.path("expected_result").asBoolean() + ")");
            }
        }
        double share = 100.0 * agreed / comparable;
        System.out.printf("Panther corpus: %d of %d comparable labelled events classified as labelled (%.1f%%);"
                + " not comparable (log type and reader's rejection): %s%n", agreed, comparable, share, notComparable);
        disagreements.forEach((rule, tests) -> System.out.println("  " + rule + ": " + tests));
        assertTrue(comparable > 100, "too few comparable events: " + comparable);
        assertTrue(share >= 90.0, String.format("%.1f%% classified as labelled; disagreements: %s", share, disagreements));
    }
}
