package io.auditwatch.scenario;

import io.auditwatch.alert.Alert;
import io.auditwatch.alert.Level;
import io.auditwatch.event.AuditEventReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Stream;

/**
 * A recorded scenario under {@code replay-data/scenarios/<name>/}: its audit events and the alerts they must
 * raise. The demo and the tests read them.
 */
public record Scenario(String name, Path events, List<ExpectedAlert> expected) {
    public static final String EVENTS_FILE = "events.jsonl";
    public static final String EXPECTED_FILE = "expected-alerts.jsonl";

    public static Scenario load(Path dir) {
        try {
            List<ExpectedAlert> expected = new ArrayList<>();
            for (String line : Files.readAllLines(dir.resolve(EXPECTED_FILE))) {
                if (!line.isBlank()) {
                    expected.add(AuditEventReader.mapper().readValue(line, ExpectedAlert.class));
                }
            }
            return new Scenario(dir.getFileName().toString(), dir.resolve(EVENTS_FILE), List.copyOf(expected));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read scenario " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Every scenario folder under {@code root} (for example {@code replay-data/scenarios}), by name. */
    public static List<Scenario> all(Path root) {
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(d -> Files.isRegularFile(d.resolve(EVENTS_FILE))).sorted().map(Scenario::load).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list scenarios in " + root + ": " + e.getMessage(), e);
        }
    }

    /** The expected alerts that none of {@code alerts} matches. */
    public List<ExpectedAlert> missing(Collection<Alert> alerts) {
        return expected.stream().filter(e -> alerts.stream().noneMatch(e::matches)).toList();
    }

    /**
     * The alerts that no expected alert accounts for. Informational alerts (activity records such as
     * "K8s Deployment Created") are context, not findings: a scenario lists only what must page or be triaged.
     */
    public List<Alert> unexpected(Collection<Alert> alerts) {
        return alerts.stream().filter(a -> a.rule().level() != Level.INFORMATIONAL)
                .filter(a -> expected.stream().noneMatch(e -> e.matches(a))).toList();
    }
}
