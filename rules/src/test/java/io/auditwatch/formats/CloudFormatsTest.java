package io.auditwatch.formats;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditwatch.event.AuditEvent;
import io.auditwatch.event.AuditEventReader;
import io.auditwatch.event.ReadResult;
import io.auditwatch.event.Rejection;
import io.auditwatch.testing.Corpora;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class CloudFormatsTest {
    private static final long FALLBACK = 1_700_000_000_000L;
    private static final ObjectMapper MAPPER = AuditEventReader.mapper();

    private final AuditEventReader reader = new AuditEventReader(AuditEventReader.DEFAULT_MAX_EVENT_BYTES, "fallback");

    private ReadResult read(JsonNode node) {
        return read(node.toString().getBytes(StandardCharsets.UTF_8));
    }

    private ReadResult read(byte[] payload) {
        return reader.read(payload, FALLBACK);
    }

    /** An event as JSON without auditwatch's own provenance: what the source wrapped. */
    private static JsonNode content(AuditEvent event) {
        ObjectNode tree = MAPPER.valueToTree(event);
        tree.remove("auditwatch");
        return tree;
    }

    private static List<JsonNode> contents(ReadResult result) {
        return result.events().stream().map(CloudFormatsTest::content).toList();
    }

    @Test
    void shouldUnwrapEveryAksSampleToTheEventItsLogHolds() throws IOException {
        int unwrapped = 0;
        for (JsonNode record : Corpora.pantherLogs("Azure.MonitorActivity")) {
            ReadResult result = read(record);
            if (!record.path("category").asText().startsWith("kube-audit")) {
                Rejection r = result.rejections().get(0);
                assertEquals(Rejection.Reason.NOT_AN_AUDIT_EVENT, r.reason());
                assertTrue(r.message().contains(record.path("category").asText()), r.message());
                assertEquals(record, MAPPER.readTree(r.raw()), "the record goes to the DLQ verbatim");
                continue;
            }
            ReadResult direct = read(record.path("properties").path("log").asText().getBytes(StandardCharsets.UTF_8));
            assertEquals(contents(direct), contents(result), record.toString());
            AuditEvent e = result.events().get(0);
            assertEquals(CloudFormats.AKS, e.provenance.source());
            assertNull(e.provenance.missing(), "AKS carries the native Event whole");
            String expectedCluster = record.has("resourceId") ? "cluster" : "fallback";
            assertEquals(expectedCluster, e.cluster(), "the cluster comes from the resourceId's managedClusters/NAME");
            unwrapped++;
        }
        assertTrue(unwrapped >= 30, "AKS samples unwrapped: " + unwrapped);
    }

    @Test
    void shouldUnwrapAnEventHubsBatchOfAksRecords() throws IOException {
        ObjectNode batch = MAPPER.createObjectNode();
        ArrayNode records = batch.putArray("records");
        List<JsonNode> direct = new ArrayList<>();
        for (JsonNode record : Corpora.pantherLogs("Azure.MonitorActivity")) {
            if (record.path("category").asText().startsWith("kube-audit")) {
                records.add(record);
                direct.addAll(contents(read(record.path("properties").path("log").asText()
                        .getBytes(StandardCharsets.UTF_8))));
            }
        }
        ReadResult result = read(batch);
        assertEquals(List.of(), result.rejections());
        assertEquals(direct, contents(result));
    }

    @Test
    void shouldUnwrapEksSamplesFromACompressedSubscriptionFilterPayload() throws IOException {
        List<JsonNode> samples = Corpora.pantherLogs("Amazon.EKS.Audit");
        ObjectNode payload = MAPPER.createObjectNode();
        payload.put("messageType", "DATA_MESSAGE");
        payload.put("owner", "123456789012");
        payload.put("logGroup", "/aws/eks/prod-eks/cluster");
        payload.put("logStream", "kube-apiserver-audit-0123456789abcdef");
        ArrayNode logEvents = payload.putArray("logEvents");
        List<JsonNode> direct = new ArrayList<>();
        int rejectedDirectly = 0;
        for (JsonNode sample : samples) {
            ObjectNode logEvent = logEvents.addObject();
            logEvent.put("id", "3719" + logEvents.size());
            logEvent.put("timestamp", 1_714_557_600_123L);
            logEvent.put("message", sample.toString());
            ReadResult one = read(sample);
            direct.addAll(contents(one));
            rejectedDirectly += one.rejections().size();
        }
        byte[] gzipped = gzip(payload.toString().getBytes(StandardCharsets.UTF_8));
        byte[] base64 = Base64.getEncoder().encode(gzipped);
        ObjectNode lambda = MAPPER.createObjectNode();
        lambda.putObject("awslogs").put("data", new String(base64, StandardCharsets.US_ASCII));

        for (byte[] shape : List.of(payload.toString().getBytes(StandardCharsets.UTF_8), gzipped, base64,
                lambda.toString().getBytes(StandardCharsets.UTF_8))) {
            ReadResult result = read(shape);
            assertEquals(direct, contents(result));
            assertEquals(rejectedDirectly, result.rejections().size());
            assertTrue(result.events().stream().allMatch(e -> "prod-eks".equals(e.cluster())
                    && CloudFormats.EKS.equals(e.provenance.source())), "cluster from /aws/eks/NAME/cluster");
        }
    }

    @Test
    void shouldReadCloudWatchExportLinesAndSingleLogEvents() throws IOException {
        JsonNode sample = Corpora.pantherLogs("Amazon.EKS.Audit").get(0);
        List<JsonNode> direct = contents(read(sample));
        byte[] exportLine = ("2024-05-01T10:00:00.123Z " + sample).getBytes(StandardCharsets.UTF_8);
        ObjectNode logEvent = MAPPER.createObjectNode();
        logEvent.put("timestamp", 1_714_557_600_123L);
        logEvent.put("logStreamName", "kube-apiserver-audit-0123");
        logEvent.put("message", sample.toString());
        assertAll(
                () -> assertEquals(direct, contents(read(exportLine))),
                () -> assertEquals(direct, contents(read(logEvent))));
    }

    @Test
    void shouldPreferTheCloudsClusterToTheRecordsAndTheRecordsToTheDefault() throws IOException {
        JsonNode aks = Corpora.pantherLogs("Azure.MonitorActivity").stream()
                .filter(r -> r.has("resourceId") && r.has("properties")).findFirst().orElseThrow();
        byte[] nativeEvent = aks.path("properties").path("log").asText().getBytes(StandardCharsets.UTF_8);
        byte[] record = aks.toString().getBytes(StandardCharsets.UTF_8);
        assertAll(
                () -> assertEquals("from-header", reader.read(nativeEvent, FALLBACK, "from-header").events().get(0)
                        .cluster()),
                () -> assertEquals("fallback", reader.read(nativeEvent, FALLBACK, null).events().get(0).cluster()),
                () -> assertEquals("cluster", reader.read(record, FALLBACK, "from-header").events().get(0).cluster(),
                        "the export names its cluster"));
    }

    @Test
    void shouldIgnoreCloudWatchControlMessages() {
        ObjectNode control = MAPPER.createObjectNode();
        control.put("messageType", "CONTROL_MESSAGE");
        control.putArray("logEvents").addObject().put("message", "CWL CONTROL MESSAGE: Checking health of destination");
        ReadResult result = read(control);
        assertEquals(List.of(), result.events());
        assertEquals(List.of(), result.rejections());
    }

    @Test
    void shouldMapEveryGkeSampleToAnEventAndMarkWhatIsMissing() throws IOException {
        int mapped = 0;
        for (JsonNode entry : Corpora.pantherLogs("GCP.AuditLog")) {
            ReadResult result = read(entry);
            if (!"k8s.io".equals(entry.at("/protoPayload/serviceName").asText())) {
                // Other Google services' audit logs are not Kubernetes events: rejected with the reason.
                assertEquals(Rejection.Reason.NOT_AN_AUDIT_EVENT, result.rejections().get(0).reason());
                assertEquals(List.of(), result.events());
                continue;
            }
            mapped++;
            assertEquals(List.of(), result.rejections(), entry.toString());
            AuditEvent e = result.events().get(0);
            JsonNode p = entry.get("protoPayload");
            String method = p.get("methodName").asText();
            assertAll(entry.toString(),
                    () -> assertEquals(e.objectRef == null ? "get" : method.substring(method.lastIndexOf('.') + 1),
                            e.verb),
                    () -> assertEquals(CloudFormats.GKE, e.provenance.source()),
                    () -> assertTrue(e.provenance.missing().containsAll(List.of("stage", "user.groups", "user.extra"))),
                    () -> assertEquals(p.path("requestMetadata").path("callerIP").asText(null),
                            e.sourceIPs == null ? null : e.sourceIPs.get(0)),
                    () -> assertTrue(e.objectRef == null ? method.endsWith(e.requestURI.replace('/', '.'))
                            : method.contains("." + e.resource() + "."), "resource " + e.resource()));
        }
        assertTrue(mapped >= 25, "GKE samples mapped: " + mapped);
    }

    @Test
    void shouldMapTheGkeExecSampleFieldByField() throws IOException {
        JsonNode exec = Corpora.pantherLogs("GCP.AuditLog").stream()
                .filter(l -> l.at("/protoPayload/methodName").asText().equals("io.k8s.core.v1.pods.exec.create"))
                .findFirst().orElseThrow();
        AuditEvent e = read(exec).events().get(0);
        assertAll(
                () -> assertEquals("create", e.verb),
                () -> assertEquals("user@company.com", e.username()),
                () -> assertEquals("pods", e.resource()),
                () -> assertEquals("exec", e.subresource()),
                () -> assertEquals("default", e.namespace()),
                () -> assertEquals("nginx-pod", e.objectName()),
                () -> assertEquals("v1", e.objectRef.apiVersion()),
                () -> assertNull(e.objectRef.apiGroup(), "core group"),
                () -> assertEquals(List.of("1.2.3.4"), e.sourceIPs),
                () -> assertEquals("kubectl/v1.27.0", e.userAgent),
                () -> assertEquals("allow", e.annotation(AuditEvent.DECISION_ANNOTATION)),
                () -> assertTrue(e.provenance.missing().contains("responseStatus")),
                () -> assertTrue(e.provenance.missing().contains("requestReceivedTimestamp")),
                () -> assertEquals(FALLBACK, e.eventTimeMillis(), "no timestamp: ingestion time"));
    }

    @Test
    void shouldMapAFullGkeLogEntry() throws IOException {
        JsonNode entry = MAPPER.readTree("""
                {"insertId":"abc","logName":"projects/p/logs/cloudaudit.googleapis.com%2Fdata_access",
                 "operation":{"id":"0b1e-audit-id","producer":"k8s.io","first":true,"last":true},
                 "labels":{"authorization.k8s.io/decision":"forbid","authorization.k8s.io/reason":"no RBAC"},
                 "resource":{"type":"k8s_cluster","labels":{"project_id":"p","location":"europe-west1","cluster_name":"gke-prod"}},
                 "timestamp":"2024-05-01T10:00:00.123456Z",
                 "protoPayload":{"@type":"type.googleapis.com/google.cloud.audit.AuditLog",
                   "authenticationInfo":{"principalEmail":"system:serviceaccount:shop:web"},
                   "methodName":"io.k8s.core.v1.secrets.list","serviceName":"k8s.io",
                   "resourceName":"core/v1/namespaces/kube-system/secrets",
                   "status":{"code":7,"message":"secrets is forbidden"},
                   "requestMetadata":{"callerIP":"10.0.0.7","callerSuppliedUserAgent":"curl/8"}}}""");
        AuditEvent e = read(entry).events().get(0);
        assertAll(
                () -> assertEquals("0b1e-audit-id", e.auditID),
                () -> assertEquals("list", e.verb),
                () -> assertEquals("secrets", e.resource()),
                () -> assertEquals("kube-system", e.namespace()),
                () -> assertNull(e.objectName()),
                () -> assertEquals(403, e.responseCode()),
                () -> assertEquals("forbid", e.annotation(AuditEvent.DECISION_ANNOTATION)),
                () -> assertEquals("no RBAC", e.annotation(AuditEvent.REASON_ANNOTATION)),
                () -> assertEquals(1_714_557_600_123L, e.eventTimeMillis()),
                () -> assertEquals("gke-prod", e.cluster()),
                () -> assertEquals("system:serviceaccount:shop:web", e.username()),
                () -> assertEquals(List.of("level", "stage", "requestURI", "stageTimestamp", "user.groups", "user.extra",
                        "user.uid", "objectRef.uid", "objectRef.resourceVersion", "responseStatus.code"),
                        e.provenance.missing()));
    }

    @Test
    void shouldKeepTheFidelityMarkerWhenAnEventIsReadAgain() throws IOException {
        JsonNode entry = Corpora.pantherLogs("GCP.AuditLog").get(0);
        AuditEvent first = read(entry).events().get(0);
        AuditEvent again = reader.read(MAPPER.writeValueAsBytes(first), 0).events().get(0);
        assertEquals(first.provenance, again.provenance);
    }

    @Test
    void shouldRejectACloudEntryThatIsNotAKubernetesAuditLog() throws IOException {
        JsonNode entry = MAPPER.readTree("""
                {"protoPayload":{"methodName":"storage.objects.get","serviceName":"storage.googleapis.com"}}""");
        Rejection r = read(entry).rejections().get(0);
        assertEquals(Rejection.Reason.NOT_AN_AUDIT_EVENT, r.reason());
        assertTrue(r.message().contains("storage.objects.get"), r.message());
    }

    @Test
    void shouldRejectBrokenGzipVerbatim() {
        byte[] broken = {0x1f, (byte) 0x8b, 8, 0, 1, 2, 3};
        ReadResult result = read(broken);
        assertEquals(List.of(), result.events());
        assertEquals(Rejection.Reason.NOT_JSON, result.rejections().get(0).reason());
        assertArrayEquals(broken, result.rejections().get(0).raw());
    }

    @Test
    void shouldRejectAnAksLogThatIsNotJson() {
        ObjectNode record = MAPPER.createObjectNode();
        record.put("category", "kube-audit");
        record.putObject("properties").put("log", "{\"kind\":\"Event\",\"verb\"");
        Rejection r = read(record).rejections().get(0);
        assertTrue(r.message().startsWith("properties.log is not JSON"), r.message());
        assertEquals(record.toString(), new String(r.raw(), StandardCharsets.UTF_8));
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }
}
