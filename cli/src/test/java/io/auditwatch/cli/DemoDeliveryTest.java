package io.auditwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.alert.Alert;
import io.auditwatch.alert.AlertCodec;
import io.auditwatch.alert.Level;
import io.auditwatch.notify.pagerduty.PagerDutyEvent;
import io.auditwatch.notify.slack.SlackMessage;
import io.auditwatch.notify.testing.LoopbackReceiver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code demo --slack-webhook-file F --pagerduty-routing-key-file G}: the demo's alerts reach both, as routed. */
class DemoDeliveryTest {
    private static final Path SCENARIO = Path.of("../replay-data/scenarios/compromised-pod");

    @TempDir
    Path dir;

    @Test
    void shouldDeliverTheDemosAlertsToSlackAndPagerDuty() throws Exception {
        try (LoopbackReceiver slack = LoopbackReceiver.slack(); LoopbackReceiver pd = LoopbackReceiver.pagerDuty()) {
            Path slackFile = Files.writeString(dir.resolve("slack-url"), slack.url("/services/T0/B0/X") + "\n");
            Path keyFile = Files.writeString(dir.resolve("pd-key"), "R0UT1NGKEYR0UT1NGKEYR0UT1NGKEY12\n");
            Path alertsOut = dir.resolve("alerts.jsonl");
            CliRun demo = new CliRun(Map.of(), "demo", "--scenario", SCENARIO.toString(), "--alerts-out",
                    alertsOut.toString(), "--slack-webhook-file", slackFile.toString(), "--pagerduty-routing-key-file",
                    keyFile.toString(), "--pagerduty-url", pd.url("").toString());
            assertEquals(0, demo.exitCode, demo.err.toString());
            assertTrue(demo.outLines().contains("Delivered to pagerduty, slack as routed (undeliverable ones are in"
                    + " auditwatch.alerts.dlq)"), demo.out.toString());

            List<Alert> alerts = Files.readAllLines(alertsOut).stream().map(AlertCodec::fromJson).toList();
            assertEquals(List.of(), slack.violations());
            assertEquals(List.of(), pd.violations());
            assertEquals(alerts.stream().filter(a -> a.rule().level().compareTo(Level.MEDIUM) >= 0)
                            .map(a -> SlackMessage.payload(a).toString()).collect(Collectors.toSet()),
                    slack.accepted().stream().map(LoopbackReceiver.Request::text).collect(Collectors.toSet()));
            Set<String> pages = alerts.stream().filter(a -> a.rule().level().compareTo(Level.HIGH) >= 0)
                    .map(a -> PagerDutyEvent.trigger(a, "R0UT1NGKEYR0UT1NGKEYR0UT1NGKEY12").toString())
                    .collect(Collectors.toSet());
            assertTrue(!pages.isEmpty(), "the scenario has a high alert");
            assertEquals(pages, pd.accepted().stream().map(LoopbackReceiver.Request::text).collect(Collectors.toSet()));
            assertTrue(pd.accepted().stream().allMatch(r -> r.path().equals("/v2/enqueue")));
        }
    }
}
