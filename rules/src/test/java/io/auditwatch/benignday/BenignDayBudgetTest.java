package io.auditwatch.benignday;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.alert.Alert;
import io.auditwatch.alert.Level;
import io.auditwatch.analyses.AnalysisConfig;
import io.auditwatch.analyses.Analyses;
import io.auditwatch.event.AuditEventReader;
import io.auditwatch.event.Rejection;
import io.auditwatch.replay.Replay;
import io.auditwatch.replay.ReplaySummary;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alert budget (issue 16): a generated benign day of a 20-node cluster, replayed through every analysis of
 * the replay host (default pack, node graph, token sources) with its inventory, raises nothing at high or critical
 * and at most one medium alert per 20,000 events. The day is left in target/benign-day for inspection.
 */
@Tag("slow") // Generates and replays a 200 MB day (about 40 s): run by `mvn verify -Pslow` and CI
class BenignDayBudgetTest {
    static final Path DAY = Path.of("target/benign-day");
    static final int EVENTS_PER_MEDIUM = 20_000;
    /** Generated once for both tests: a day is some 170 MB. */
    private static long lines;

    @BeforeAll
    static void generate() throws IOException {
        lines = BenignDay.generate(DAY);
    }

    @Test
    void shouldRaiseNoHighAlertAndAtMostOneMediumPerTwentyThousandEventsOnABenignDay() throws IOException {
        assertTrue(lines >= 100_000, "a day of at least 100,000 events, got " + lines);

        Replay replay = new Replay(new AuditEventReader(AuditEventReader.DEFAULT_MAX_EVENT_BYTES, "benign-day"),
                AnalysisConfig.DEFAULTS.analyses());
        replay.loadInventory(DAY.resolve(BenignDay.INVENTORY));
        List<Alert> alerts = new ArrayList<>();
        List<Rejection> rejections = new ArrayList<>();
        ReplaySummary summary = replay.run(List.of(DAY.resolve(BenignDay.EVENTS)), alerts::add,
                (file, rejection) -> rejections.add(rejection));

        Map<Level, Long> byLevel = new TreeMap<>();
        Map<String, Long> byRule = new TreeMap<>();
        for (Alert a : alerts) {
            byLevel.merge(a.rule().level(), 1L, Long::sum);
            byRule.merge(a.rule().level().json() + " " + a.rule().id(), 1L, Long::sum);
        }
        long high = byLevel.getOrDefault(Level.HIGH, 0L) + byLevel.getOrDefault(Level.CRITICAL, 0L);
        long medium = byLevel.getOrDefault(Level.MEDIUM, 0L);
        long budget = summary.events() / EVENTS_PER_MEDIUM;
        System.out.printf("benign-day: %,d events, %,d alerts: %s; budget: 0 high/critical, at most %d"
                        + " medium (1 per %,d events): %d high/critical, %d medium (%.2f per 20,000 events)%n  by rule: %s%n"
                        + "  node graph: %s%n  medium and above: %s%n",
                summary.events(), alerts.size(), byLevel, budget,
                EVENTS_PER_MEDIUM, high, medium, medium * 20_000.0 / summary.events(), byRule, summary.nodeCoverage(),
                alerts.stream().filter(a -> a.rule().level().compareTo(Level.MEDIUM) >= 0)
                        .map(a -> a.rule().id() + ": " + a.summary()).collect(Collectors.joining("; ")));

        assertEquals(List.of(), rejections, "every generated line is an audit event");
        assertEquals(0, high, "no alert at high or critical on a benign day: " + byRule);
        assertTrue(medium <= budget, medium + " medium alerts, budget " + budget + ": " + byRule);
    }

    @Test
    void shouldGenerateTheSameDayForTheSameSeed(@TempDir Path again) throws IOException {
        BenignDay.generate(again);

        assertArrayEquals(digest(DAY.resolve(BenignDay.EVENTS)), digest(again.resolve(BenignDay.EVENTS)));
        assertArrayEquals(digest(DAY.resolve(BenignDay.INVENTORY)), digest(again.resolve(BenignDay.INVENTORY)));
    }

    private static byte[] digest(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return ((DigestInputStream) in).getMessageDigest().digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
