package io.auditwatch.detector;

import io.auditwatch.analyses.AnalysisConfig;
import io.auditwatch.kafka.DlqHeaders;
import io.auditwatch.kafka.Topics;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.alert.Alert;
import io.auditwatch.event.AuditEvent;
import io.auditwatch.event.AuditEventReader;
import io.auditwatch.event.Provenance;
import io.auditwatch.testing.EventJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DetectorTopologyTest {
    private static final Instant T0 = Instant.parse("2026-11-20T03:12:45Z");
    /** The driver's wall clock: when records are parsed. */
    private static final Instant WALL_CLOCK = Instant.parse("2026-12-01T00:00:00Z");

    @TempDir
    Path stateDir;

    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> input;
    private TestOutputTopic<String, Alert> alerts;
    private TestOutputTopic<byte[], byte[]> dlq;

    @BeforeEach
    void start() {
        DetectorConfig config = DetectorConfig.defaults("unused:9092", stateDir);
        Properties props = DetectorApp.properties(config);
        driver = new TopologyTestDriver(DetectorTopology.build(config), props, WALL_CLOCK);
        input = driver.createInputTopic(Topics.AUDIT_EVENTS, new ByteArraySerializer(), new ByteArraySerializer());
        alerts = driver.createOutputTopic(Topics.ALERTS, new StringDeserializer(),
                AlertSerde.create().deserializer());
        dlq = driver.createOutputTopic(Topics.AUDIT_DLQ, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private void send(String json, Instant ingestTime) {
        input.pipeInput(null, json.getBytes(StandardCharsets.UTF_8), ingestTime);
    }

    private void send(EventJson event, Instant ingestTime) {
        send(event.json(), ingestTime);
    }

    /** A request by {@code username} (group system:authenticated), as the API server logs it at {@code stage}. */
    static EventJson request(String auditID, String stage, String username, String verb, String resource,
                             String subresource, String namespace, String name, String decision, int code,
                             String received) {
        EventJson event = EventJson.event().auditID(auditID).stage(stage).user(username, "system:authenticated")
                .verb(verb).code(code).received(received).stageAt(received)
                .set("annotations", Map.of(AuditEvent.DECISION_ANNOTATION, decision));
        return resource == null ? event.noObjectRef().uri("/healthz")
                : event.objectRef(resource, namespace, name, subresource);
    }

    /** alice's {@code kubectl exec} into shop/web-1 (verb get, 101). */
    static EventJson exec(String auditID, String stage, String received) {
        return request(auditID, stage, "alice@example.com", "get", "pods", "exec", "shop", "web-1", "allow", 101,
                received);
    }

    @Test
    void shouldDescribeTheTopologyAsTheGoldenFileSays() throws IOException {
        Topology topology = DetectorTopology.build(DetectorConfig.defaults("unused:9092", stateDir));
        String golden = Files.readString(Path.of("src/test/resources/topology.txt"));
        assertEquals(golden.strip(), topology.describe().toString().strip(),
                "topology changed: if on purpose, update src/test/resources/topology.txt");
    }

    @Test
    void shouldTakeTheClusterFromTheIngestHeaderWhenTheEventNamesNone() {
        RecordHeaders headers = new RecordHeaders();
        headers.add(Provenance.CLUSTER_HEADER, "prod-eu".getBytes(StandardCharsets.UTF_8));
        input.pipeInput(new TestRecord<>(null, exec("h-1", "ResponseComplete", "2026-11-20T03:12:45Z").bytes(), headers, T0));
        send(exec("h-2", "ResponseComplete", "2026-11-20T03:12:46Z"), T0);

        List<Alert> out = alerts.readValuesToList();
        assertEquals(List.of("prod-eu", AnalysisConfig.DEFAULTS.cluster()), out.stream().map(Alert::cluster).toList());
    }

    @Test
    void shouldAlertOnCloudExportsForwardedRawWithTheirClusters() {
        String aks = "{\"category\":\"kube-audit\",\"resourceId\":\"/SUBSCRIPTIONS/S/RESOURCEGROUPS/RG/PROVIDERS/"
                + "MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/aks-prod\",\"properties\":{\"log\":"
                + AuditEventReader.mapper().valueToTree(exec("c-1", "ResponseComplete", "2026-11-20T03:12:45Z").json())
                + "}}";
        String gke = "{\"timestamp\":\"2026-11-20T03:12:46Z\",\"operation\":{\"id\":\"c-2\"},"
                + "\"resource\":{\"type\":\"k8s_cluster\",\"labels\":{\"cluster_name\":\"gke-prod\"}},"
                + "\"protoPayload\":{\"serviceName\":\"k8s.io\",\"methodName\":\"io.k8s.core.v1.pods.exec.create\","
                + "\"resourceName\":\"core/v1/namespaces/shop/pods/web-1/exec\","
                + "\"authenticationInfo\":{\"principalEmail\":\"bob@example.com\"},"
                + "\"authorizationInfo\":[{\"granted\":true}]}}";
        send(aks, T0);
        send(gke, T0);

        List<Alert> out = alerts.readValuesToList();
        assertEquals(List.of("aks-prod", "gke-prod"), out.stream().map(Alert::cluster).toList());
        assertEquals(List.of("pod-exec", "pod-exec"), out.stream().map(a -> a.rule().id()).toList());
        assertTrue(dlq.isEmpty());
    }

    @Test
    void shouldAlertOnceWhenExecIsLoggedAtSeveralStages() {
        String received = "2026-11-20T03:12:45.100000Z";
        send(exec("a-1", "RequestReceived", received).remove("annotations"), T0);
        send(exec("a-1", "ResponseStarted", received), T0);
        send(exec("a-1", "ResponseComplete", received), T0);

        List<TestRecord<String, Alert>> out = alerts.readRecordsToList();
        assertEquals(1, out.size());
        Alert alert = out.get(0).value();
        assertEquals("pod-exec", alert.rule().id());
        assertEquals(alert.dedupKey(), out.get(0).key());
        assertEquals("a-1", alert.evidence().get(0).auditID());
        assertEquals("alice@example.com", alert.identity().username());
    }

    @Test
    void shouldNotAlertAgainWhenARepeatPassesDedupAfterAFailOverEmptiedIt() {
        EventJson exec = exec("e-1", "ResponseStarted", "2026-11-20T03:12:45.000000Z");
        EventJson secret = request("s-1", "ResponseComplete", "alice@example.com", "get", "secrets", null, "shop",
                "db", "allow", 200, "2026-11-20T03:12:46.000000Z");
        send(exec, T0);
        send(secret, T0);
        assertEquals(List.of("pod-exec", "secret-read"), alerts.readValuesToList().stream().map(a -> a.rule().id()).toList());

        // request-dedup is not changelogged: a new instance starts with it empty.
        assertTrue(driver.producedTopicNames().stream().anyMatch(t -> t.endsWith("-rule-state-changelog")));
        assertTrue(driver.producedTopicNames().stream().noneMatch(t -> t.endsWith("-request-dedup-changelog")),
                driver.producedTopicNames().toString());
        KeyValueStore<String, String> dedup = driver.getKeyValueStore(DetectorTopology.REQUEST_DEDUP_STORE);
        List<String> remembered = new java.util.ArrayList<>();
        dedup.all().forEachRemaining(kv -> remembered.add(kv.key));
        assertEquals(2, remembered.size());
        remembered.forEach(dedup::delete);
        send(exec, T0.plusSeconds(30));
        send(secret, T0.plusSeconds(30));

        assertEquals(List.of(), alerts.readValuesToList(), "the rules remember per request what they alerted on");
    }

    @Test
    void shouldAlertOnceWhenWebhookRetriesTheSameBatch() {
        String batch = "{\"kind\":\"EventList\",\"apiVersion\":\"audit.k8s.io/v1\",\"items\":["
                + request("s-1", "ResponseComplete", "alice@example.com", "get", "secrets", null, "shop", "db",
                "allow", 200, "2026-11-20T03:12:46.000000Z") + "]}";
        send(batch, T0);
        send(batch, T0.plusSeconds(10));

        List<Alert> out = alerts.readValuesToList();
        assertEquals(1, out.size());
        assertEquals("secret-read", out.get(0).rule().id());
    }

    @Test
    void shouldStampRecordsWithWhenTheyWereParsedAndKeepEventTimeInTheAlert() {
        String received = "2026-11-20T03:12:45.250000Z";
        send(exec("a-2", "ResponseComplete", received), T0.plus(Duration.ofDays(30)));

        TestRecord<String, Alert> out = alerts.readRecord();
        assertEquals(WALL_CLOCK, out.getRecordTime(), "the broker judges and retains records by this time");
        assertEquals("2026-11-20T03:12:45.250Z", out.value().firstSeen());
    }

    @Test
    void shouldFallBackToIngestTimeAndSayWhenTheEventHasNoTimestamp() {
        EventJson noTime = exec("a-3", "ResponseComplete", "x").remove("requestReceivedTimestamp", "stageTimestamp");
        send(noTime, T0);

        TestRecord<String, Alert> out = alerts.readRecord();
        assertEquals(T0.toString(), out.value().firstSeen());
        assertEquals(WALL_CLOCK, out.getRecordTime());
    }

    @Test
    void shouldJudgeAnEventDatedFarAheadAtItsArrivalAndKeepDetectingAfterIt() {
        Instant future = Instant.now().plus(Duration.ofDays(180));
        send(exec("f-1", "ResponseComplete", future.toString()), T0);
        send(exec("f-2", "ResponseComplete", "2026-11-20T03:12:46.000000Z"), T0.plusSeconds(1));
        // A repeat of the first request a minute later: had the future date moved the detector's clock, every memory
        // would have expired already and the repeat would alert again.
        send(exec("f-2", "ResponseComplete", "2026-11-20T03:12:46.000000Z"), T0.plusSeconds(60));

        List<Alert> out = alerts.readValuesToList();
        assertEquals(List.of("f-1", "f-2"), out.stream().map(a -> a.evidence().get(0).auditID()).toList());
        assertEquals(T0.toString(), out.get(0).firstSeen(), "judged at its arrival");
        assertEquals(future.toString(), out.get(0).evidence().get(0).requestReceivedTimestamp(), "its own claim kept as evidence");
    }

    @Test
    void shouldAlertOnceForAnAttackArrivingDaysAfterTheDetectorsClockMovedOn() {
        send(request("n-1", "ResponseComplete", "bob@example.com", "get", "pods", null, "shop", "web-1",
                "allow", 200, "2026-11-22T03:12:45.000000Z"), T0);
        String started = exec("late-1", "ResponseStarted", "2026-11-20T03:12:45.000000Z").json();
        String completed = exec("late-1", "ResponseComplete", "2026-11-20T03:12:45.000000Z").json();
        send(started, T0.plusSeconds(1));
        send(completed, T0.plusSeconds(2));
        send("[" + started + "," + completed + "]", T0.plusSeconds(3));

        List<Alert> out = alerts.readValuesToList();
        assertEquals(1, out.size(), "one alert for the late request, whatever the stages and copies: " + out);
        assertEquals("late-1", out.get(0).evidence().get(0).auditID());
    }

    @Test
    void shouldNeverAlertAgainForBatchesResentHoursOlderThanTheNewestEvent() {
        Instant newest = Instant.parse("2026-11-21T03:12:45Z");
        List<String> batches = new ArrayList<>();
        for (Duration age : List.of(Duration.ofHours(1), Duration.ofHours(6), Duration.ofHours(23))) {
            String time = newest.minus(age).toString();
            batches.add("{\"kind\":\"EventList\",\"apiVersion\":\"audit.k8s.io/v1\",\"items\":["
                    + exec("old-" + age.toHours(), "ResponseComplete", time).json() + ","
                    + request("sec-" + age.toHours(), "ResponseComplete", "alice@example.com", "get", "secrets",
                    null, "shop", "db", "allow", 200, time) + "]}");
        }
        batches.forEach(batch -> send(batch, T0));
        send(exec("newest", "ResponseComplete", newest.toString()), T0.plusSeconds(1));
        int first = alerts.readValuesToList().size();

        // Two hours of stream time later still: the copies are re-sent (webhook retries after an outage).
        send(request("n-2", "ResponseComplete", "bob@example.com", "get", "pods", null, "shop", "web-1",
                "allow", 200, newest.plus(Duration.ofHours(2)).toString()), T0.plusSeconds(2));
        batches.forEach(batch -> send(batch, T0.plusSeconds(3)));

        assertEquals(7, first, "an exec and a secret read per batch, and the newest exec");
        assertEquals(List.of(), alerts.readValuesToList(), "a request already seen never alerts again");
    }

    @Test
    void shouldSendBadInputToTheDlqWithReasonAndOriginAndKeepGoing() {
        byte[] garbage = "this is not json".getBytes(StandardCharsets.UTF_8);
        input.pipeInput("cluster-a".getBytes(StandardCharsets.UTF_8), garbage, T0);
        send("{\"kind\":\"Event\",\"verb\":\"get\",\"user\":{\"username\"", T0);
        send("{\"kind\":0}", T0);
        send(exec("a-4", "ResponseComplete", "2026-11-20T03:12:47.000000Z").set("verb", 5), T0);
        byte[] huge = new byte[5 * 1024 * 1024];
        Arrays.fill(huge, (byte) ' ');
        byte[] event = exec("a-5", "ResponseComplete", "2026-11-20T03:12:47.000000Z").bytes();
        System.arraycopy(event, 0, huge, 0, event.length);
        input.pipeInput(null, huge, T0);
        send(exec("a-6", "ResponseComplete", "2026-11-20T03:12:48.000000Z"), T0);

        List<TestRecord<byte[], byte[]>> rejected = dlq.readRecordsToList();
        assertEquals(List.of("not-json", "truncated-json", "wrong-field-type", "wrong-field-type", "oversized"),
                rejected.stream().map(r -> DlqHeaders.get(r.headers(), DlqHeaders.REASON)).toList());
        TestRecord<byte[], byte[]> first = rejected.get(0);
        assertTrue(Arrays.equals(garbage, first.value()), "the raw record is kept verbatim");
        assertEquals("cluster-a", new String(first.key(), StandardCharsets.UTF_8));
        assertEquals(Topics.AUDIT_EVENTS, DlqHeaders.get(first.headers(), DlqHeaders.SOURCE_TOPIC));
        assertEquals("0", DlqHeaders.get(first.headers(), DlqHeaders.SOURCE_OFFSET));
        assertEquals(huge.length, rejected.get(4).value().length);

        List<Alert> out = alerts.readValuesToList();
        assertEquals(1, out.size(), "the good event after the bad ones is still analysed");
        assertEquals("a-6", out.get(0).evidence().get(0).auditID());
    }

    @Test
    void shouldRememberRequestsInTheDedupStoreUntilTheyExpireInEventTime() {
        send(exec("a-7", "ResponseComplete", "2026-11-20T03:12:45.000000Z"), T0);
        KeyValueStore<String, String> store = driver.getKeyValueStore(DetectorTopology.REQUEST_DEDUP_STORE);
        assertEquals(1, count(store), "one record, its expiry in its value");

        // Two hours of event time later (and a minute of the stream's own time, which schedules the purge) the
        // purge punctuator has removed it.
        driver.advanceWallClockTime(Duration.ofMinutes(1));
        send(request("b-1", "ResponseComplete", "bob@example.com", "get", "pods", null, "shop", "web-1",
                "allow", 200, "2026-11-20T05:13:00.000000Z"), T0);
        assertEquals(1, count(store), "only the new request remains");
        assertTrue(store.get("v|b-1|bob@example.com|2026-11-20T05:13:00.000000Z|ResponseComplete") != null);
    }

    @Test
    void shouldNotAlertForServiceAccountsOrForbiddenRequests() {
        send(request("c-1", "ResponseComplete", "system:serviceaccount:shop:web", "get", "secrets", null,
                "shop", "db", "allow", 200, "2026-11-20T03:12:45.000000Z"), T0);
        send(request("c-2", "ResponseComplete", "alice@example.com", "get", "pods", "exec", "shop", "web",
                "forbid", 403, "2026-11-20T03:12:45.000000Z"), T0);
        send(request("c-3", "ResponseComplete", "system:anonymous", "get", null, null, null, null,
                "allow", 200, "2026-11-20T03:12:45.000000Z"), T0);
        assertTrue(alerts.isEmpty());
    }

    @Test
    void shouldAlertWhenAnonymousIsAllowedBeyondHealthEndpoints() {
        send(request("d-1", "ResponseComplete", "system:anonymous", "list", "pods", null, "shop", "",
                "allow", 200, "2026-11-20T03:12:45.000000Z"), T0);
        assertEquals("anonymous-allowed", alerts.readValue().rule().id());
    }

    @Test
    void shouldAlertOncePerPortForwardRequest() {
        for (String stage : List.of("RequestReceived", "ResponseStarted", "ResponseComplete")) {
            send(request("e-1", stage, "alice@example.com", "get", "pods", "portforward", "shop", "postgres-0",
                    "allow", 101, "2026-11-20T03:12:45.000000Z"), T0);
        }
        List<Alert> out = alerts.readValuesToList();
        assertEquals(1, out.size());
        assertEquals("pod-portforward", out.get(0).rule().id());
    }

    @Test
    void shouldJudgeAKubeletAgainstPodsKnownOnlyFromTheInventory() {
        TestInputTopic<String, String> inventory = driver.createInputTopic(Topics.INVENTORY, new StringSerializer(),
                new StringSerializer());
        inventory.pipeInput("shop/web-1", "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"web-1\",\"namespace\":\"shop\","
                + "\"uid\":\"u-1\"},\"spec\":{\"nodeName\":\"node-a\",\"containers\":[{\"name\":\"web\"}],"
                + "\"volumes\":[{\"name\":\"db\",\"secret\":{\"secretName\":\"db-credentials\"}}]}}", T0);

        send(request("n-1", "ResponseComplete", "system:node:node-b", "get", "secrets", null, "shop",
                "db-credentials", "allow", 200, "2026-11-20T03:12:45.000000Z"), T0);
        assertTrue(alerts.isEmpty(), "judged only after the grace window");
        send(request("n-2", "ResponseComplete", "system:node:node-b", "get", "configmaps", null, "shop",
                "kube-root-ca.crt", "allow", 200, "2026-11-20T03:14:30.000000Z"), T0);

        Alert alert = alerts.readValue();
        assertEquals("node-credential-unrelated-access", alert.rule().id());
        assertTrue(alert.explanation().contains("Only pods on node-a reference it"), alert.explanation());
    }

    @Test
    void shouldResolveAPodTokenWithoutANodeClaimInItsOwnNamespaceAndJudgeItInTheTargets() {
        TestInputTopic<String, String> inventory = driver.createInputTopic(Topics.INVENTORY, new StringSerializer(),
                new StringSerializer());
        inventory.pipeInput("shop/web-1", "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"web-1\",\"namespace\":\"shop\","
                + "\"uid\":\"u-1\"},\"spec\":{\"nodeName\":\"node-a\",\"containers\":[{\"name\":\"web\"}],"
                + "\"volumes\":[{\"name\":\"db\",\"secret\":{\"secretName\":\"db-credentials\"}}]}}", T0);
        inventory.pipeInput("monitoring/agent-b", "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"agent-b\","
                + "\"namespace\":\"monitoring\",\"uid\":\"u-2\"},\"spec\":{\"nodeName\":\"node-b\","
                + "\"serviceAccountName\":\"agent\",\"containers\":[{\"name\":\"agent\"}]}}", T0);

        // A token of a cluster before 1.30: pod claims, no node claim.
        EventJson token = request("t-1", "ResponseComplete", "system:serviceaccount:monitoring:agent", "get", "secrets",
                null, "shop", "db-credentials", "allow", 200, "2026-11-20T03:12:45.000000Z")
                .extra("authentication.kubernetes.io/pod-name", "agent-b").extra("authentication.kubernetes.io/pod-uid", "u-2");
        send(token, T0);
        send(request("n-2", "ResponseComplete", "system:node:node-a", "get", "configmaps", null, "shop",
                "kube-root-ca.crt", "allow", 200, "2026-11-20T03:14:30.000000Z"), T0);

        Alert alert = alerts.readValue();
        assertEquals("node-token-cross-node-access", alert.rule().id());
        assertEquals("node-b", alert.identity().node());
    }

    private static int count(KeyValueStore<String, String> store) {
        int n = 0;
        try (var it = store.all()) {
            while (it.hasNext()) {
                it.next();
                n++;
            }
        }
        return n;
    }
}
