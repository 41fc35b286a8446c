package io.auditwatch.notify.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditwatch.alert.AlertCodec;
import io.auditwatch.alert.Level;
import io.auditwatch.event.AuditEventReader;
import io.auditwatch.notify.pagerduty.PagerDutyDestination;
import io.auditwatch.notify.routing.RoutingFile;
import io.auditwatch.notify.slack.SlackDestination;
import io.auditwatch.notify.testing.LoopbackReceiver.Answer;
import io.auditwatch.notify.testing.LoopbackReceiver;
import io.auditwatch.notify.testing.MutableClock;
import io.auditwatch.notify.testing.SampleAlerts;
import io.auditwatch.notify.webhook.WebhookDestination;
import io.auditwatch.notify.webhook.WebhookSignature;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DestinationWorkerTest {
    private static final RetryPolicy FAST = new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(50),
            Duration.ofSeconds(10));

    /** What the delivery record in Kafka (DeliveryStore, tested against a broker in the cli module) answers. */
    private final Delivered store = new Delivered() {
        private final java.util.Set<String> delivered = java.util.concurrent.ConcurrentHashMap.newKeySet();

        @Override
        public boolean contains(String destination, String messageId) {
            return delivered.contains(destination + "\u0000" + messageId);
        }

        @Override
        public void record(String destination, String messageId) {
            delivered.add(destination + "\u0000" + messageId);
        }
    };
    private final HttpClient http = HttpClient.newHttpClient();
    private final BlockingQueue<DestinationWorker.Outcome> outcomes = new LinkedBlockingQueue<>();

    private DestinationWorker.Outcome deliverOne(DestinationWorker worker, String id) throws InterruptedException {
        worker.submit(new DestinationWorker.Job(id, SampleAlerts.alert(id, Level.HIGH), id));
        DestinationWorker.Outcome outcome = outcomes.poll(30, TimeUnit.SECONDS);
        assertNotNull(outcome, "no outcome");
        return outcome;
    }

    @Test
    void shouldHonourSlacks429RetryAfterAndThenDeliver() throws Exception {
        try (LoopbackReceiver slack = LoopbackReceiver.slack();
             DestinationWorker worker = new DestinationWorker(new SlackDestination("soc", slack.url("/services/T/B/X"),
                     Duration.ZERO), http, store, FAST, outcomes::add)) {
            slack.script(new Answer(429, "1", "rate_limited"));
            DestinationWorker.Outcome outcome = deliverOne(worker, "a1");
            assertTrue(outcome.accepted());
            assertEquals(2, outcome.attempts());
            assertEquals(2, slack.all().size());
            assertEquals(1, slack.accepted().size());
            assertEquals(java.util.List.of(), slack.violations());
            assertTrue(store.contains("soc", "a1"), "recorded before it was reported");
        }
    }

    @Test
    void shouldRetryPagerDuty5xxAndGiveUpAfterMaxAttemptsWithTheLastErrorButNoSecret() throws Exception {
        try (LoopbackReceiver pd = LoopbackReceiver.pagerDuty();
             DestinationWorker worker = new DestinationWorker(new PagerDutyDestination("oncall", pd.url(""),
                     "R0UT1NGKEY", Duration.ZERO), http, store, FAST, outcomes::add)) {
            pd.script(new Answer(500, null, "oops"), new Answer(502, null, "bad gateway"));
            assertTrue(deliverOne(worker, "a1").accepted(), "third attempt succeeds");

            pd.script(new Answer(500, null, "a"), new Answer(503, null, "b"),
                    new Answer(500, null, "key R0UT1NGKEY is overloaded"));
            DestinationWorker.Outcome failed = deliverOne(worker, "a2");
            assertFalse(failed.accepted());
            assertEquals(3, failed.attempts());
            assertEquals("HTTP 500 from pagerduty oncall: key [secret] is overloaded", failed.error());
            assertFalse(store.contains("oncall", "a2"));
        }
    }

    @Test
    void shouldNotRetryARejectedPayload() throws Exception {
        try (LoopbackReceiver pd = LoopbackReceiver.pagerDuty();
             DestinationWorker worker = new DestinationWorker(new PagerDutyDestination("oncall", pd.url(""),
                     "K", Duration.ZERO), http, store, FAST, outcomes::add)) {
            pd.script(new Answer(400, null, "{\"status\":\"invalid event\"}"));
            DestinationWorker.Outcome outcome = deliverOne(worker, "a1");
            assertFalse(outcome.accepted());
            assertEquals(1, outcome.attempts());
            assertEquals("HTTP 400 from pagerduty oncall: {\"status\":\"invalid event\"}", outcome.error());
        }
    }

    @Test
    void shouldSkipWhatTheStoreSaysWasDelivered() throws Exception {
        try (LoopbackReceiver slack = LoopbackReceiver.slack();
             DestinationWorker worker = new DestinationWorker(new SlackDestination("soc", slack.url("/x"),
                     Duration.ZERO), http, store, FAST, outcomes::add)) {
            store.record("soc", "a1");
            DestinationWorker.Outcome outcome = deliverOne(worker, "a1");
            assertTrue(outcome.accepted());
            assertEquals(0, outcome.attempts());
            assertEquals(0, slack.all().size());
        }
    }

    @Test
    void shouldReportAnUnreachableDestinationWithoutItsUrl() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        URI url = URI.create("http://127.0.0.1:" + closedPort + "/services/T/B/SECRETPART");
        try (DestinationWorker worker = new DestinationWorker(new SlackDestination("soc", url, Duration.ZERO), http,
                store, FAST, outcomes::add)) {
            DestinationWorker.Outcome outcome = deliverOne(worker, "a1");
            assertFalse(outcome.accepted());
            assertTrue(outcome.error().startsWith("ConnectException from slack soc"), outcome.error());
            assertFalse(outcome.error().contains("SECRETPART") || outcome.error().contains(":" + closedPort),
                    outcome.error());
        }
    }

    @Test
    void shouldLetAHealthyDestinationDeliverWhileAnotherHangs() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             LoopbackReceiver slack = LoopbackReceiver.slack();
             DestinationWorker stuck = new DestinationWorker(new PagerDutyDestination("oncall",
                     URI.create("http://127.0.0.1:" + silent.getLocalPort()), "K", Duration.ZERO), http, store,
                     // Far longer than the healthy delivery; closing waits for the hung request up to this.
                     new RetryPolicy(1, Duration.ZERO, Duration.ZERO, Duration.ofSeconds(3)), outcomes::add);
             DestinationWorker healthy = new DestinationWorker(new SlackDestination("soc", slack.url("/x"),
                     Duration.ZERO), http, store, FAST, outcomes::add)) {
            stuck.submit(new DestinationWorker.Job("a1", SampleAlerts.alert("a1", Level.HIGH), "a1"));
            DestinationWorker.Outcome outcome = deliverOne(healthy, "a1");
            assertEquals("soc", outcome.destination());
            assertTrue(outcome.accepted());
            assertNull(outcomes.poll(), "the hanging destination has not finished and blocked nobody");
        }
    }

    @Test
    void shouldPostTheAlertJsonSignedSoTheReceiverCanVerifyIt() throws Exception {
        try (LoopbackReceiver hook = LoopbackReceiver.webhook();
             DestinationWorker worker = new DestinationWorker(new WebhookDestination("siem", hook.url("/in"),
                     "shared-key", Duration.ZERO), http, store, FAST, outcomes::add)) {
            assertTrue(deliverOne(worker, "a1").accepted());
            LoopbackReceiver.Request request = hook.accepted().get(0);
            assertEquals(SampleAlerts.alert("a1", Level.HIGH), AlertCodec.fromJson(request.body()));
            assertEquals("a1", request.header(WebhookDestination.ALERT_ID_HEADER));
            assertTrue(WebhookSignature.verify("shared-key".getBytes(StandardCharsets.UTF_8), request.body(),
                    request.header(WebhookSignature.HEADER)));
            assertFalse(WebhookSignature.verify("other-key".getBytes(StandardCharsets.UTF_8), request.body(),
                    request.header(WebhookSignature.HEADER)));
        }
    }

    @Test
    void shouldPostAnOcsfDetectionFindingWhenTheWebhookAsksForOcsf() throws Exception {
        Path routing = Files.createTempFile("routing", ".yaml");
        Files.writeString(routing, """
                destinations:
                  - {name: siem, type: webhook, urlEnv: SIEM_URL, hmacKeyEnv: SIEM_KEY, format: ocsf}
                routes:
                  - to: [siem]
                """);
        try (LoopbackReceiver hook = LoopbackReceiver.webhook();
             DestinationWorker worker = new DestinationWorker(RoutingFile.load(routing, Map.of(
                     "SIEM_URL", hook.url("/in").toString(), "SIEM_KEY", "shared-key")).destinations().get(0),
                     http, store, FAST, outcomes::add)) {
            assertTrue(deliverOne(worker, "a1").accepted());
            LoopbackReceiver.Request request = hook.accepted().get(0);
            JsonNode finding = AuditEventReader.mapper().readTree(request.body());
            assertEquals(2004, finding.path("class_uid").asInt(), finding.toString());
            assertEquals("a1", finding.path("finding_info").path("uid").asText());
            assertTrue(WebhookSignature.verify("shared-key".getBytes(StandardCharsets.UTF_8), request.body(),
                    request.header(WebhookSignature.HEADER)));
        }
    }
}
