package io.auditwatch.notify.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.alert.Level;
import io.auditwatch.notify.delivery.Destination;
import io.auditwatch.notify.testing.SampleAlerts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoutingFileTest {
    @TempDir
    Path dir;

    private Path write(String name, String content) throws Exception {
        return Files.writeString(dir.resolve(name), content);
    }

    private Plan socPlan() throws Exception {
        write("slack-url", "https://hooks.slack.com/services/T000/B000/XXXX\n");
        Path file = write("routing.yaml", """
                destinations:
                  - name: oncall
                    type: pagerduty
                    routingKeyEnv: PD_ROUTING_KEY
                  - name: soc
                    type: slack
                    urlFile: %s
                  - name: platform
                    type: slack
                    urlEnv: PLATFORM_SLACK_URL
                routes:
                  - minLevel: high
                    to: [oncall]
                  - minLevel: medium
                    to: [soc]
                  - namespaces: [kube-system]
                    clusters: [prod-eu]
                    rules: [pod-exec]
                    to: [platform]
                """.formatted(dir.resolve("slack-url")));
        return RoutingFile.load(file, Map.of("PD_ROUTING_KEY", "R0UT1NG", "PLATFORM_SLACK_URL",
                "https://hooks.slack.com/services/T000/B111/YYYY"));
    }

    @Test
    void shouldRouteByLevelNamespaceClusterAndRule() throws Exception {
        Plan plan = socPlan();
        assertEquals(List.of("oncall", "soc", "platform"), plan.destinations().stream().map(Destination::name).toList());
        assertEquals(Set.of("oncall", "soc"), plan.routing().destinationsFor(SampleAlerts.alert("a", Level.CRITICAL)));
        assertEquals(Set.of("oncall", "soc"), plan.routing().destinationsFor(SampleAlerts.alert("a", Level.HIGH)));
        assertEquals(Set.of("soc"), plan.routing().destinationsFor(SampleAlerts.alert("a", Level.MEDIUM)));
        assertEquals(Set.of(), plan.routing().destinationsFor(SampleAlerts.alert("a", Level.INFORMATIONAL)),
                "informational goes nowhere");
        assertEquals(Set.of("platform"), plan.routing().destinationsFor(
                SampleAlerts.inNamespace(SampleAlerts.alert("a", Level.LOW), "kube-system", "prod-eu", "pod-exec")));
        assertEquals(Set.of(), plan.routing().destinationsFor(
                SampleAlerts.inNamespace(SampleAlerts.alert("a", Level.LOW), "kube-system", "staging", "pod-exec")));
        assertEquals(Set.of(), plan.routing().destinationsFor(
                SampleAlerts.inNamespace(SampleAlerts.alert("a", Level.LOW), "kube-system", "prod-eu", "secret-read")));
    }

    @Test
    void shouldNameAMissingSecretFileOrVariableButNeverAValue() throws Exception {
        Path file = write("r.yaml", """
                destinations:
                  - {name: soc, type: slack, urlFile: /nonexistent/slack-url}
                routes: [{to: [soc]}]
                """);
        RoutingException e = assertThrows(RoutingException.class, () -> RoutingFile.load(file, Map.of()));
        assertEquals("destination 'soc' webhook URL: cannot read /nonexistent/slack-url (NoSuchFileException)",
                e.getMessage());

        Path env = write("e.yaml", """
                destinations:
                  - {name: oncall, type: pagerduty, routingKeyEnv: PD_KEY}
                routes: [{to: [oncall]}]
                """);
        e = assertThrows(RoutingException.class, () -> RoutingFile.load(env, Map.of()));
        assertEquals("destination 'oncall' routing key: environment variable PD_KEY is not set", e.getMessage());
    }

    @Test
    void shouldRejectAUrlThatIsNotHttpWithoutRepeatingIt() throws Exception {
        write("u", "hooks.slack.com/services/T000/B000/SECRETPART");
        Path file = write("r.yaml", "destinations: [{name: soc, type: slack, urlFile: " + dir.resolve("u") + "}]\n"
                + "routes: [{to: [soc]}]\n");
        RoutingException e = assertThrows(RoutingException.class, () -> RoutingFile.load(file, Map.of()));
        assertFalse(e.getMessage().contains("SECRETPART"), e.getMessage());
        assertTrue(e.getMessage().endsWith("not an absolute http(s) URL"), e.getMessage());
    }

    @Test
    void shouldRejectATypoRatherThanRouteNothing() throws Exception {
        Path file = write("r.yaml", """
                destinations:
                  - {name: soc, type: slack, webhookUrl: "https://hooks.slack.com/services/SECRETPART"}
                routes: [{to: [soc]}]
                """);
        RoutingException e = assertThrows(RoutingException.class, () -> RoutingFile.load(file, Map.of()));
        assertTrue(e.getMessage().contains("unknown key at .destinations[0].webhookUrl"), e.getMessage());
        assertFalse(e.getMessage().contains("SECRETPART"), e.getMessage());
    }

    @Test
    void shouldRejectARouteToAnUnknownDestinationAndABadLevel() throws Exception {
        write("k", "KEY");
        Path unknown = write("r.yaml", "destinations: [{name: oncall, type: pagerduty, routingKeyFile: "
                + dir.resolve("k") + "}]\nroutes: [{minLevel: high, to: [pager]}]\n");
        RoutingException e = assertThrows(RoutingException.class, () -> RoutingFile.load(unknown, Map.of()));
        assertEquals("a route sends to 'pager', which is not a destination (have: oncall)", e.getMessage());

        Path level = write("l.yaml", "destinations: [{name: oncall, type: pagerduty, routingKeyFile: "
                + dir.resolve("k") + "}]\nroutes: [{minLevel: severe, to: [oncall]}]\n");
        e = assertThrows(RoutingException.class, () -> RoutingFile.load(level, Map.of()));
        assertTrue(e.getMessage().endsWith("minLevel 'severe' is not one of informational, low, medium, high, critical"),
                e.getMessage());
    }

    @Test
    void shouldReadRoutesAloneForRunTimeTuningAndCheckThemAgainstTheDestinations() throws Exception {
        Plan plan = socPlan();
        Routing tuned = RoutingFile.routes("routes at t@7", "routes: [{minLevel: critical, to: [oncall]}]");
        assertEquals(Set.of(), plan.withRouting(tuned).routing().destinationsFor(SampleAlerts.alert("a", Level.HIGH)));
        RoutingException e = assertThrows(RoutingException.class,
                () -> plan.withRouting(RoutingFile.routes("routes at t@8", "routes: [{to: [pager]}]")));
        assertTrue(e.getMessage().startsWith("a route sends to 'pager'"), e.getMessage());
        e = assertThrows(RoutingException.class, () -> RoutingFile.routes("routes at t@9", "destinations: []"));
        assertEquals("routes at t@9: invalid or unknown key at .destinations (line 1)", e.getMessage());
    }
}
