package io.auditwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.auditwatch.alert.Level;
import io.auditwatch.notify.routing.Routing;
import io.auditwatch.notify.testing.SampleAlerts;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NotifyOptionsTest {
    /** Every destination of the single-destination options, with the default routes. */
    private static Routing defaultRouting() {
        NotifyOptions options = new NotifyOptions();
        options.pagerDutyRoutingKey = "R0UT1NGKEY";
        options.pagerDutyUrl = "http://127.0.0.1:9";
        options.slackWebhookUrl = "http://127.0.0.1:9/services/T/B/X";
        options.webhookUrl = "http://127.0.0.1:9/siem";
        options.webhookHmacKey = "k";
        return options.plan(Map.of()).routing();
    }

    @Test
    void shouldPageOnHighTriageMediumAndSendLowAndInformationalNowhereByDefault() {
        Routing routing = defaultRouting();

        assertEquals(Set.of("pagerduty", "slack", "webhook"),
                routing.destinationsFor(SampleAlerts.alert("c", Level.CRITICAL)));
        assertEquals(Set.of("pagerduty", "slack", "webhook"), routing.destinationsFor(SampleAlerts.alert("h", Level.HIGH)));
        assertEquals(Set.of("slack", "webhook"), routing.destinationsFor(SampleAlerts.alert("m", Level.MEDIUM)));
        assertEquals(Set.of(), routing.destinationsFor(SampleAlerts.alert("l", Level.LOW)));
        assertEquals(Set.of(), routing.destinationsFor(SampleAlerts.alert("i", Level.INFORMATIONAL)));
    }
}
