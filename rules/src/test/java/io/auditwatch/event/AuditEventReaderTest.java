package io.auditwatch.event;

import static io.auditwatch.testing.EventJson.CLUSTER;
import static io.auditwatch.testing.EventJson.T0;
import static io.auditwatch.testing.EventJson.T0_MILLIS;
import static io.auditwatch.testing.EventJson.event;
import static io.auditwatch.testing.EventJson.eventList;
import static io.auditwatch.testing.EventJson.tree;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditwatch.testing.EventJson;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class AuditEventReaderTest {
    private static final long FALLBACK = 1_700_000_000_000L;

    private final AuditEventReader reader = EventJson.reader();

    private ReadResult read(String payload) {
        return reader.read(payload.getBytes(StandardCharsets.UTF_8), FALLBACK);
    }

    private static AuditEvent only(ReadResult result) {
        assertEquals(List.of(), result.rejections(), "rejections");
        assertEquals(1, result.events().size(), "events");
        return result.events().get(0);
    }

    private static Rejection onlyRejection(ReadResult result) {
        assertEquals(List.of(), result.events(), "events");
        assertEquals(1, result.rejections().size(), "rejections");
        return result.rejections().get(0);
    }

    private Rejection rejected(byte[] payload, Rejection.Reason reason) {
        Rejection rejection = onlyRejection(reader.read(payload, FALLBACK));
        assertEquals(reason, rejection.reason(), rejection::message);
        assertArrayEquals(payload, rejection.raw(), "raw bytes are kept verbatim");
        assertNotNull(rejection.message());
        assertFalse(rejection.message().isBlank());
        return rejection;
    }

    private Rejection rejected(String payload, Rejection.Reason reason) {
        return rejected(payload.getBytes(StandardCharsets.UTF_8), reason);
    }

    @Nested
    class ApiVersions {
        @Test
        void shouldReadEveryTypedFieldOfAV1Event() {
            AuditEvent e = only(read(event().json()));

            assertAll(
                    () -> assertEquals("Event", e.kind),
                    () -> assertEquals("audit.k8s.io/v1", e.apiVersion),
                    () -> assertEquals("Metadata", e.level),
                    () -> assertEquals("7d3c5a9e-1f42-4b6b-9a1e-0c2f5e8d4b11", e.auditID),
                    () -> assertEquals("ResponseComplete", e.stage),
                    () -> assertEquals("/api/v1/namespaces/shop/pods/web-1", e.requestURI),
                    () -> assertEquals("get", e.verb),
                    () -> assertEquals("alice@example.com", e.username()),
                    () -> assertEquals(List.of("system:authenticated", "oidc:sre"), e.user.groups()),
                    () -> assertEquals(List.of("203.0.113.45"), e.sourceIPs),
                    () -> assertTrue(e.userAgent.startsWith("kubectl/v1.31.2")),
                    () -> assertEquals("pods", e.resource()),
                    () -> assertEquals("shop", e.namespace()),
                    () -> assertEquals("web-1", e.objectName()),
                    () -> assertNull(e.subresource()),
                    () -> assertEquals(200, e.responseCode()),
                    () -> assertEquals("allow", e.annotation(AuditEvent.DECISION_ANNOTATION)),
                    () -> assertTrue(e.allowed()),
                    () -> assertEquals(T0_MILLIS, e.eventTimeMillis()),
                    () -> assertFalse(e.timestampFallback()),
                    () -> assertEquals(CLUSTER, e.cluster()));
        }

        @Test
        void shouldTakeEventTimeFromRequestReceivedTimestampRatherThanStageTimestamp() {
            AuditEvent e = only(read(event().received(T0).stageAt("2024-05-01T10:05:00Z").json()));

            assertEquals(T0_MILLIS, e.eventTimeMillis());
        }

        @Test
        void shouldTakeEventTimeFromStageTimestampWhenRequestReceivedTimestampIsMissing() {
            AuditEvent e = only(read(event().remove("requestReceivedTimestamp")
                    .stageAt("2024-05-01T10:05:00.5Z").json()));

            assertEquals(T0_MILLIS - 123 + 5 * 60_000 + 500, e.eventTimeMillis());
            assertFalse(e.timestampFallback());
        }

        @Test
        void shouldTreatAnEmptyRequestReceivedTimestampAsMissing() {
            AuditEvent e = only(read(event().received("").stageAt("2024-05-01T10:05:00Z").json()));

            assertEquals(T0_MILLIS - 123 + 5 * 60_000, e.eventTimeMillis());
        }

        @Test
        void shouldTakeEventTimeFromLegacyTimestampOfAV1beta1Event() {
            String json = event().apiVersion("audit.k8s.io/v1beta1")
                    .remove("requestReceivedTimestamp", "stageTimestamp")
                    .set("timestamp", "2019-03-04T05:06:07Z").json();

            AuditEvent e = only(read(json));

            assertEquals("audit.k8s.io/v1beta1", e.apiVersion);
            assertEquals("2019-03-04T05:06:07Z", e.timestamp);
            assertEquals(1_551_675_967_000L, e.eventTimeMillis());
            assertFalse(e.timestampFallback());
        }

        @Test
        void shouldTakeEventTimeFromLegacyTimestampOfAV1alpha1Event() {
            String json = event().apiVersion("audit.k8s.io/v1alpha1")
                    .remove("requestReceivedTimestamp", "stageTimestamp")
                    .set("timestamp", T0).json();

            assertEquals(T0_MILLIS, only(read(json)).eventTimeMillis());
        }

        @Test
        void shouldPreferLegacyReceiveTimestampOverStageTimestampBecauseBothMeanDifferentThings() {
            // v1beta1 "timestamp" is the time the request reached the API server, like requestReceivedTimestamp;
            // stageTimestamp differs per stage, so it must not win over the receive time.
            String json = event().apiVersion("audit.k8s.io/v1beta1").remove("requestReceivedTimestamp")
                    .set("timestamp", T0).stageAt("2024-05-01T10:30:00Z").json();

            assertEquals(T0_MILLIS, only(read(json)).eventTimeMillis());
        }

        @Test
        void shouldPreferRequestReceivedTimestampOverLegacyTimestamp() {
            String json = event().apiVersion("audit.k8s.io/v1beta1").received(T0)
                    .set("timestamp", "2024-05-01T09:00:00Z").json();

            assertEquals(T0_MILLIS, only(read(json)).eventTimeMillis());
        }

        @Test
        void shouldReadTimestampsWithAZoneOffset() {
            AuditEvent e = only(read(event().received("2024-05-01T12:00:00.123456+02:00").json()));

            assertEquals(T0_MILLIS, e.eventTimeMillis());
        }

        @Test
        void shouldAcceptAnEventWithNoApiVersionAndNoKind() {
            AuditEvent e = only(read(event().remove("apiVersion", "kind").json()));

            assertNull(e.kind);
            assertNull(e.apiVersion);
            assertEquals("get", e.verb);
            assertEquals(T0_MILLIS, e.eventTimeMillis());
        }
    }

    @Nested
    class Batches {
        @Test
        void shouldReturnEveryItemOfAnEventListInOrder() {
            String body = eventList(event().auditID("a-1").json(), event().auditID("a-2").json(),
                    event().auditID("a-3").json());

            ReadResult result = read(body);

            assertEquals(List.of(), result.rejections());
            assertEquals(List.of("a-1", "a-2", "a-3"), result.events().stream().map(e -> e.auditID).toList());
            result.events().forEach(e -> assertEquals(T0_MILLIS, e.eventTimeMillis()));
        }

        @Test
        void shouldKeepTheGoodItemsOfAnEventListAndRejectTheBadOneWithItsRawBytes() {
            String bad = event().auditID("a-bad").set("verb", 5).json();
            String body = eventList(event().auditID("a-1").json(), bad, event().auditID("a-3").json());

            ReadResult result = read(body);

            assertEquals(List.of("a-1", "a-3"), result.events().stream().map(e -> e.auditID).toList());
            assertEquals(1, result.rejections().size());
            Rejection rejection = result.rejections().get(0);
            assertEquals(Rejection.Reason.WRONG_FIELD_TYPE, rejection.reason());
            assertTrue(rejection.message().contains("verb"), rejection.message());
            assertEquals(tree(bad), tree(rejection.raw()), "the rejected item, not the whole list");
            assertArrayEquals(bad.getBytes(StandardCharsets.UTF_8), rejection.raw());
        }

        @Test
        void shouldRejectAnItemOfAnotherKindInAnEventList() {
            String pod = "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"web-1\"}}";

            ReadResult result = read(eventList(event().json(), pod));

            assertEquals(1, result.events().size());
            assertEquals(1, result.rejections().size());
            assertEquals(Rejection.Reason.NOT_AN_AUDIT_EVENT, result.rejections().get(0).reason());
            assertEquals(tree(pod), tree(result.rejections().get(0).raw()));
        }

        @Test
        void shouldRejectAnEventListWithoutItems() {
            rejected("{\"kind\":\"EventList\",\"apiVersion\":\"audit.k8s.io/v1\",\"metadata\":{}}",
                    Rejection.Reason.NOT_AN_AUDIT_EVENT);
        }

        @Test
        void shouldReturnNothingForAnEmptyEventList() {
            ReadResult result = read(eventList());

            assertEquals(List.of(), result.events());
            assertEquals(List.of(), result.rejections());
        }

        @Test
        void shouldReadAJsonArrayOfEvents() {
            ReadResult result = read("  \n" + EventJson.array(event().auditID("a-1").json(),
                    event().auditID("a-2").remove("apiVersion", "kind").json()));

            assertEquals(List.of(), result.rejections());
            assertEquals(List.of("a-1", "a-2"), result.events().stream().map(e -> e.auditID).toList());
        }

        @Test
        void shouldRejectANullItemInsteadOfThrowing() {
            ReadResult result = read(eventList(event().json(), "null"));

            assertEquals(1, result.events().size());
            assertEquals(1, result.rejections().size());
            assertEquals(Rejection.Reason.NOT_AN_AUDIT_EVENT, result.rejections().get(0).reason());
            assertEquals("null", new String(result.rejections().get(0).raw(), StandardCharsets.UTF_8));
        }

        @Test
        void shouldRejectAScalarItemInAnArray() {
            ReadResult result = read(EventJson.array("\"hello\"", event().json()));

            assertEquals(1, result.events().size());
            assertEquals(1, result.rejections().size());
            assertEquals(Rejection.Reason.WRONG_FIELD_TYPE, result.rejections().get(0).reason());
        }

        @Test
        void shouldRejectAnOversizedItemAndKeepTheOthers() {
            AuditEventReader small = new AuditEventReader(4096, CLUSTER);
            String big = event().auditID("a-big").setJson("requestObject",
                    "{\"kind\":\"ConfigMap\",\"data\":{\"blob\":\"" + "x".repeat(8000) + "\"}}").json();
            String body = eventList(event().auditID("a-1").json(), big);

            ReadResult result = small.read(body.getBytes(StandardCharsets.UTF_8), FALLBACK);

            assertEquals(List.of("a-1"), result.events().stream().map(e -> e.auditID).toList());
            assertEquals(1, result.rejections().size());
            Rejection rejection = result.rejections().get(0);
            assertEquals(Rejection.Reason.OVERSIZED, rejection.reason());
            assertTrue(rejection.message().contains("4096"), rejection.message());
            assertEquals(tree(big), tree(rejection.raw()));
        }
    }

    @Nested
    class RoundTrip {
        private static final String UNKNOWN_TOP = "{\"nested\":{\"list\":[1,2.5,\"three\",null,true]}}";

        private AuditEvent reread(AuditEvent event, AuditEventReader with, long fallback) throws Exception {
            byte[] serialised = AuditEventReader.mapper().writeValueAsBytes(event);
            return only(with.read(serialised, fallback));
        }

        @Test
        void shouldKeepUnknownFieldsThroughSerialisationAndReRead() throws Exception {
            String json = event().setJson("futureField", UNKNOWN_TOP).set("metadata", Map.of())
                    .setJson("requestObject", "{\"kind\":\"Pod\",\"spec\":{\"hostPID\":true}}")
                    .setJson("objectRef", "{\"resource\":\"pods\",\"namespace\":\"shop\",\"name\":\"web-1\","
                            + "\"apiVersion\":\"v1\",\"uid\":\"u-1\",\"resourceVersion\":\"42\"}")
                    .json();
            AuditEvent first = only(read(json));

            assertEquals(tree(UNKNOWN_TOP), first.other().get("futureField"));
            assertEquals(Map.of(), mapOf(first.other().get("metadata")));

            byte[] serialised = AuditEventReader.mapper().writeValueAsBytes(first);
            JsonNode written = tree(serialised);
            assertEquals(tree(UNKNOWN_TOP), written.get("futureField"), "unknown fields stay at the top level");
            assertNull(written.get("other"), "no wrapper object for unknown fields");

            AuditEvent second = only(reader.read(serialised, FALLBACK + 1));
            assertAll(
                    () -> assertEquals(first.other(), second.other()),
                    () -> assertEquals(first.kind, second.kind),
                    () -> assertEquals(first.apiVersion, second.apiVersion),
                    () -> assertEquals(first.level, second.level),
                    () -> assertEquals(first.auditID, second.auditID),
                    () -> assertEquals(first.stage, second.stage),
                    () -> assertEquals(first.requestURI, second.requestURI),
                    () -> assertEquals(first.verb, second.verb),
                    () -> assertEquals(first.user, second.user),
                    () -> assertEquals(first.sourceIPs, second.sourceIPs),
                    () -> assertEquals(first.userAgent, second.userAgent),
                    () -> assertEquals(first.objectRef, second.objectRef),
                    () -> assertEquals(first.responseStatus, second.responseStatus),
                    () -> assertEquals(first.requestObject, second.requestObject),
                    () -> assertEquals(first.requestReceivedTimestamp, second.requestReceivedTimestamp),
                    () -> assertEquals(first.stageTimestamp, second.stageTimestamp),
                    () -> assertEquals(first.annotations, second.annotations),
                    () -> assertEquals(first.provenance, second.provenance),
                    () -> assertEquals(first.eventTimeMillis(), second.eventTimeMillis()));
            assertEquals(tree(serialised), tree(AuditEventReader.mapper().writeValueAsBytes(second)),
                    "a second round trip changes nothing");
        }

        private Map<?, ?> mapOf(JsonNode node) throws Exception {
            return AuditEventReader.mapper().treeToValue(node, Map.class);
        }

        @Test
        void shouldKeepUserExtraClaimsAndImpersonatedUserThroughARoundTrip() throws Exception {
            AuditEvent first = only(read(event()
                    .user("system:serviceaccount:monitoring:node-exporter", "system:serviceaccounts")
                    .extra("authentication.kubernetes.io/node-name", "ip-10-0-1-17.ec2.internal")
                    .setJson("impersonatedUser", "{\"username\":\"admin\",\"groups\":[\"system:masters\"]}")
                    .json()));

            AuditEvent second = reread(first, reader, FALLBACK);

            assertEquals(first.user, second.user);
            assertEquals("ip-10-0-1-17.ec2.internal", second.identity().node());
            assertEquals("admin", second.impersonatedUser.username());
        }

        @Test
        void shouldFlagTimestampFallbackWhenEventHasNoTimestamps() {
            AuditEvent e = only(read(event().remove("requestReceivedTimestamp", "stageTimestamp").json()));

            assertTrue(e.timestampFallback());
            assertEquals(FALLBACK, e.eventTimeMillis());
        }

        @Test
        void shouldKeepTheFallbackTimeWhenASerialisedEventIsReadAgainLater() throws Exception {
            AuditEvent first = only(read(event().remove("requestReceivedTimestamp", "stageTimestamp").json()));

            AuditEvent second = reread(first, reader, FALLBACK + 3_600_000);

            assertTrue(second.timestampFallback());
            assertEquals(FALLBACK, second.eventTimeMillis());
            assertEquals(first.provenance, second.provenance);
        }

        @Test
        void shouldUseTheEventsOwnTimestampOnReReadRatherThanTheStoredProvenance() throws Exception {
            AuditEvent first = only(read(event().json()));

            AuditEvent second = reread(first, reader, FALLBACK);

            assertFalse(second.timestampFallback());
            assertEquals(T0_MILLIS, second.eventTimeMillis());
        }

        @Test
        void shouldDefaultTheClusterToTheReadersCluster() {
            AuditEventReader prod = new AuditEventReader(AuditEventReader.DEFAULT_MAX_EVENT_BYTES, "prod-eu-1");

            AuditEvent e = only(prod.read(event().bytes(), FALLBACK));

            assertEquals("prod-eu-1", e.cluster());
        }

        @Test
        void shouldKeepTheClusterOfTheFirstReadWhenAnotherReaderReadsTheEventAgain() throws Exception {
            AuditEventReader prod = new AuditEventReader(AuditEventReader.DEFAULT_MAX_EVENT_BYTES, "prod-eu-1");
            AuditEventReader other = new AuditEventReader(AuditEventReader.DEFAULT_MAX_EVENT_BYTES, "other");
            AuditEvent first = only(prod.read(event().bytes(), FALLBACK));

            AuditEvent second = reread(first, other, FALLBACK);

            assertEquals("prod-eu-1", second.cluster());
        }

        @Test
        void shouldLeaveTheClusterNullWhenNeitherReaderNorEventNamesOne() {
            AuditEventReader anonymous = new AuditEventReader(AuditEventReader.DEFAULT_MAX_EVENT_BYTES, null);

            assertNull(only(anonymous.read(event().bytes(), FALLBACK)).cluster());
        }
    }

    @Nested
    class BadInput {
        @Test
        void shouldRejectTextThatIsNotJson() {
            rejected("hello", Rejection.Reason.NOT_JSON);
        }

        @Test
        void shouldRejectGarbageBinary() {
            rejected(new byte[] {(byte) 0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0}, Rejection.Reason.NOT_JSON);
        }

        @Test
        void shouldRejectTruncatedJson() {
            String whole = event().json();
            rejected(whole.substring(0, whole.length() / 2), Rejection.Reason.TRUNCATED_JSON);
        }

        @Test
        void shouldRejectATruncatedEventList() {
            String whole = eventList(event().json(), event().json());
            rejected(whole.substring(0, whole.length() - 3), Rejection.Reason.TRUNCATED_JSON);
        }

        @Test
        void shouldRejectANumericKind() {
            Rejection r = rejected("{\"kind\":0}", Rejection.Reason.WRONG_FIELD_TYPE);
            assertTrue(r.message().contains("kind"), r.message());
        }

        @Test
        void shouldRejectAnEventOfAnotherKind() {
            rejected(event().set("kind", "Pod").json(), Rejection.Reason.NOT_AN_AUDIT_EVENT);
        }

        @Test
        void shouldRejectAnObjectWithoutVerb() {
            rejected("{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\"}", Rejection.Reason.NOT_AN_AUDIT_EVENT);
            rejected("{}", Rejection.Reason.NOT_AN_AUDIT_EVENT);
            rejected(event().verb("").json(), Rejection.Reason.NOT_AN_AUDIT_EVENT);
        }

        @Test
        void shouldRejectTheJsonLiteralNullInsteadOfThrowing() {
            rejected("null", Rejection.Reason.NOT_AN_AUDIT_EVENT);
        }

        @Test
        void shouldRejectAJsonScalar() {
            rejected("42", Rejection.Reason.WRONG_FIELD_TYPE);
            rejected("\"an event\"", Rejection.Reason.WRONG_FIELD_TYPE);
        }

        @Test
        void shouldRejectAnEventLargerThanTheLimitGivenInTheConstructor() {
            AuditEventReader limited = new AuditEventReader(3 * 1024 * 1024, CLUSTER);
            byte[] payload = fiveMegabyteEvent("7d3c5a9e-1f42-4b6b-9a1e-0c2f5e8d4b11");

            Rejection r = onlyRejection(limited.read(payload, FALLBACK));

            assertEquals(Rejection.Reason.OVERSIZED, r.reason());
            assertTrue(r.message().contains(String.valueOf(3 * 1024 * 1024)), r.message());
            assertTrue(r.message().contains(String.valueOf(payload.length)), r.message());
            assertArrayEquals(payload, r.raw());
        }

        @Test
        void shouldRejectAnOversizedEventEvenWhenItsHeadMentionsEventList() {
            // The Audit-ID header is client-controlled: a client can make the head of its event say "EventList".
            AuditEventReader limited = new AuditEventReader(3 * 1024 * 1024, CLUSTER);
            byte[] payload = fiveMegabyteEvent("EventList");

            Rejection r = onlyRejection(limited.read(payload, FALLBACK));

            assertEquals(Rejection.Reason.OVERSIZED, r.reason());
            assertArrayEquals(payload, r.raw());
        }

        @Test
        void shouldAcceptAnEventJustUnderTheLimit() {
            byte[] payload = event().bytes();
            AuditEventReader exact = new AuditEventReader(payload.length, CLUSTER);

            only(exact.read(payload, FALLBACK));
            assertEquals(Rejection.Reason.OVERSIZED,
                    onlyRejection(new AuditEventReader(payload.length - 1, CLUSTER).read(payload, FALLBACK)).reason());
        }

        private byte[] fiveMegabyteEvent(String auditID) {
            String blob = "A".repeat(5 * 1024 * 1024);
            return event().auditID(auditID).set("level", "RequestResponse")
                    .setJson("requestObject", "{\"kind\":\"Secret\",\"data\":{\"blob\":\"" + blob + "\"}}").bytes();
        }

        @Test
        void shouldRejectAUserThatIsAString() {
            Rejection r = rejected(event().set("user", "bob").json(), Rejection.Reason.WRONG_FIELD_TYPE);
            assertTrue(r.message().contains("user"), r.message());
        }

        @Test
        void shouldRejectANumericVerbRatherThanCoerceIt() {
            Rejection r = rejected(event().set("verb", 5).json(), Rejection.Reason.WRONG_FIELD_TYPE);
            assertTrue(r.message().contains("verb"), r.message());
        }

        @Test
        void shouldRejectABooleanUsernameRatherThanCoerceIt() {
            Rejection r = rejected(event().setJson("user", "{\"username\":true}").json(),
                    Rejection.Reason.WRONG_FIELD_TYPE);
            assertTrue(r.message().contains("user.username"), r.message());
        }

        @Test
        void shouldRejectAResponseCodeThatIsNotANumber() {
            rejected(event().setJson("responseStatus", "{\"code\":{\"value\":403}}").json(),
                    Rejection.Reason.WRONG_FIELD_TYPE);
        }

        @Test
        void shouldRejectAnEmptyPayload() {
            rejected(new byte[0], Rejection.Reason.EMPTY);
        }

        @Test
        void shouldRejectABlankPayload() {
            rejected(" \r\n\t ", Rejection.Reason.EMPTY);
        }

        @Test
        void shouldRejectANullPayloadAsEmpty() {
            Rejection r = onlyRejection(reader.read(null, FALLBACK));
            assertEquals(Rejection.Reason.EMPTY, r.reason());
            assertEquals(0, r.raw().length);
        }

        @Test
        void shouldRejectAnUnreadableTimestamp() {
            Rejection r = rejected(event().received("yesterday at noon").json(), Rejection.Reason.WRONG_FIELD_TYPE);
            assertTrue(r.message().contains("yesterday at noon"), r.message());
        }

        @Test
        void shouldRejectATimestampWithoutZone() {
            rejected(event().received("2024-05-01T10:00:00").json(), Rejection.Reason.WRONG_FIELD_TYPE);
        }

        @Test
        void shouldRejectTrailingGarbageAfterAnEvent() {
            String payload = event().json() + " trailing";
            Rejection r = onlyRejection(read(payload));
            assertArrayEquals(payload.getBytes(StandardCharsets.UTF_8), r.raw());
        }

        @Test
        void shouldRejectTwoEventsOnOneLine() {
            String payload = event().json() + event().json();
            Rejection r = onlyRejection(read(payload));
            assertArrayEquals(payload.getBytes(StandardCharsets.UTF_8), r.raw());
        }

        @Test
        void shouldGiveEveryReasonAStableKebabCaseCode() {
            assertEquals(List.of("not-json", "truncated-json", "oversized", "wrong-field-type", "not-an-audit-event",
                    "empty"), Arrays.stream(Rejection.Reason.values()).map(Rejection.Reason::code).toList());
        }
    }
}
