package io.auditwatch.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class WireFormatTest {
    /**
     * EventCodec's output for {@link #EVENT}, by the wire format version that writes it. A change to the codec's
     * output needs a new version (and a new line here): the previous release cannot read it.
     */
    private static final Map<Integer, String> ENCODED_SHA256 = Map.of(
            2, "cf65cc679cb66dcd1d8dd7443c09a05e2380aae7debb28cd296edf9572e387ee");
    /** Every kind of field the codec writes: provenance, user with extra, object reference, status, subtrees. */
    private static final String EVENT = """
            {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"5f0c1c56-2c4e-4b43-9d0e-6f1f5d1b7a10",\
            "stage":"ResponseComplete","requestURI":"/api/v1/namespaces/shop/pods","verb":"create",\
            "user":{"username":"system:serviceaccount:kube-system:replicaset-controller","uid":"u-1","groups":["system:serviceaccounts"],\
            "extra":{"authentication.kubernetes.io/node-name":["ip-10-0-1-17.ec2.internal"]}},\
            "impersonatedUser":{"username":"alice@example.com","groups":["developers"]},\
            "sourceIPs":["10.0.0.11","192.0.2.7"],"userAgent":"kube-controller-manager/v1.31.2",\
            "objectRef":{"resource":"pods","namespace":"shop","name":"web-1","uid":"p-1","apiGroup":"","apiVersion":"v1","resourceVersion":"42","subresource":"status"},\
            "responseStatus":{"metadata":{},"code":201,"status":"Success","reason":"Created","message":"ok"},\
            "requestObject":{"kind":"Pod","spec":{"nodeName":"ip-10-0-1-17.ec2.internal","volumes":[{"name":"db","secret":{"secretName":"db"}}]}},\
            "responseObject":{"kind":"Pod","metadata":{"name":"web-1"}},\
            "requestReceivedTimestamp":"2026-11-21T09:00:40.123456Z","stageTimestamp":"2026-11-21T09:00:40.223456Z",\
            "annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""},"unknownField":[1,2]}
            """;

    @Test
    void shouldChangeTheWireFormatVersionWhenEventCodecsOutputChanges() throws Exception {
        AuditEvent event = new AuditEventReader(AuditEventReader.DEFAULT_MAX_EVENT_BYTES, "prod-eu")
                .read(EVENT.strip().getBytes(StandardCharsets.UTF_8), 0).events().get(0);
        String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(EventCodec.encode(event)));
        assertEquals(ENCODED_SHA256.get(WireFormat.VERSION), digest, "EventCodec writes another form than wire format "
                + WireFormat.VERSION + " did: bump WireFormat.VERSION (and EventCodec.FORMAT) and pin the new digest");
    }

    @Test
    void shouldReadTheVersionThatAClientIdAdvertisesAndTakeNoneAsTheReleasesBeforeIt() {
        String consumer = WireFormat.clientId("auditwatch-detector-1a2b3c4d") + "-StreamThread-1-consumer";
        assertEquals(WireFormat.VERSION, WireFormat.advertisedBy(consumer));
        assertEquals(7, WireFormat.advertisedBy("auditwatch-detector-9f8e7d6c-wireformat7-StreamThread-2-consumer"));
        // Kafka Streams' default client id, as auditwatch 0.1.0 (bd6c680) joins with it.
        assertEquals(WireFormat.UNADVERTISED, WireFormat.advertisedBy(
                "auditwatch-detector-0b7c1e2a-7d3f-4c1e-9b2a-5e6f7a8b9c0d-StreamThread-1-consumer"));
        assertEquals(WireFormat.UNADVERTISED, WireFormat.advertisedBy("mywireformat3tool"));
        assertEquals(WireFormat.UNADVERTISED, WireFormat.advertisedBy(null));
    }

    @Test
    void shouldTakeOnlyTheFirstBytesAfterEventCodecsFormatAsANewerFormat() {
        assertEquals(OptionalInt.of(EventCodec.FORMAT + 1), WireFormat.newerEventFormat((byte) (EventCodec.FORMAT + 1)));
        assertEquals(OptionalInt.of('{' - 1), WireFormat.newerEventFormat((byte) ('{' - 1)));
        for (int older : new int[] {EventCodec.FORMAT, 0x01, '{', 0xA5, 0x00}) {
            assertTrue(WireFormat.newerEventFormat((byte) older).isEmpty(), "not a newer format: " + older);
        }
    }
}
