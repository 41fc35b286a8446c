package io.auditwatch.scenario;

import static io.auditwatch.testing.EventJson.podExec;
import static io.auditwatch.testing.EventJson.secretGet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.alert.Alert;
import io.auditwatch.language.RuleSet;
import io.auditwatch.state.ExpiringState;
import io.auditwatch.state.TreeMapStore;
import io.auditwatch.testing.EventJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScenarioTest {
    private static final String EXEC = "{\"rule\":\"pod-exec\",\"auditID\":\"a-1\",\"username\":\"alice@example.com\","
            + "\"resource\":\"pods\",\"subresource\":\"exec\",\"namespace\":\"shop\",\"name\":\"web-1\"}";
    private static final String SECRET = "{\"rule\":\"secret-read\",\"auditID\":\"a-2\","
            + "\"username\":\"alice@example.com\",\"comment\":\"fields the record does not know are ignored\"}";

    @TempDir
    Path root;

    private Path scenario(String name, String expected) throws IOException {
        Path dir = Files.createDirectories(root.resolve(name));
        Files.writeString(dir.resolve(Scenario.EVENTS_FILE), podExec().json() + "\n");
        Files.writeString(dir.resolve(Scenario.EXPECTED_FILE), expected);
        return dir;
    }

    private static Alert alertOf(EventJson event) {
        List<Alert> alerts = RuleSet.defaults().engine(Duration.ofHours(1))
                .process(event.parse(), new ExpiringState(new TreeMapStore()));
        assertEquals(1, alerts.size());
        return alerts.get(0);
    }

    @Test
    void shouldLoadTheExpectedAlertsSkippingBlankLines() throws IOException {
        Path dir = scenario("compromised-pod", EXEC + "\n\n" + SECRET + "\n");

        Scenario s = Scenario.load(dir);

        assertEquals("compromised-pod", s.name());
        assertEquals(dir.resolve(Scenario.EVENTS_FILE), s.events());
        assertEquals(List.of(new ExpectedAlert("pod-exec", "a-1", "alice@example.com", "pods", "exec", "shop",
                "web-1"), new ExpectedAlert("secret-read", "a-2", "alice@example.com", null, null, null, null)),
                s.expected());
    }

    @Test
    void shouldLoadAScenarioThatExpectsNoAlerts() throws IOException {
        assertEquals(List.of(), Scenario.load(scenario("benign-cluster", "")).expected());
    }

    @Test
    void shouldFindEveryScenarioFolderInNameOrder() throws IOException {
        scenario("b-second", EXEC);
        scenario("a-first", "");
        Files.createDirectories(root.resolve("not-a-scenario"));
        Files.writeString(root.resolve("README.md"), "# scenarios");

        assertEquals(List.of("a-first", "b-second"), Scenario.all(root).stream().map(Scenario::name).toList());
    }

    @Test
    void shouldSayWhichScenarioCannotBeRead() throws IOException {
        Path dir = Files.createDirectories(root.resolve("broken"));

        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> Scenario.load(dir));
        assertTrue(e.getMessage().contains("broken"), e.getMessage());
    }

    @Test
    void shouldMatchAnAlertByRuleRequestAndUser() {
        Alert exec = alertOf(podExec().auditID("a-1"));

        assertTrue(new ExpectedAlert("pod-exec", "a-1", "alice@example.com", null, null, null, null).matches(exec));
        assertFalse(new ExpectedAlert("secret-read", "a-1", "alice@example.com", null, null, null, null)
                .matches(exec));
        assertFalse(new ExpectedAlert("pod-exec", "a-9", "alice@example.com", null, null, null, null)
                .matches(exec));
        assertFalse(new ExpectedAlert("pod-exec", "a-1", "bob@example.com", null, null, null, null)
                .matches(exec));
    }

    @Test
    void shouldReportMissingAndUnexpectedAlerts() throws IOException {
        Scenario s = Scenario.load(scenario("compromised-pod", EXEC + "\n" + SECRET + "\n"));
        Alert exec = alertOf(podExec().auditID("a-1"));
        Alert otherSecret = alertOf(secretGet().auditID("a-3"));

        assertEquals(List.of("secret-read"), s.missing(List.of(exec, otherSecret)).stream()
                .map(ExpectedAlert::rule).toList());
        assertEquals(List.of(otherSecret), s.unexpected(List.of(exec, otherSecret)));
        assertEquals("secret-read on request a-2 by alice@example.com", s.expected().get(1).describe());
    }
}
