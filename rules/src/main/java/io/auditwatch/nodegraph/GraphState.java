package io.auditwatch.nodegraph;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.auditwatch.event.AuditEvent;
import io.auditwatch.event.AuditEventReader;
import io.auditwatch.state.ExpiringState;
import java.io.UncheckedIOException;

/**
 * The node graph's records in its analysis' state: the key schema (a namespace's pods by uid and by name, each
 * pod's references under its node so that one node's references are one range, blind markers, pending accesses,
 * volumes and attachments), reading pods back, and the JSON of stored events.
 */
final class GraphState {
    /** {@code pod|ns|uid} → the pod ({@link PodRecord}). */
    static final String POD = "pod|";
    /** {@code podname|ns|name} → the uid of the pod now named so (StatefulSets reuse names). */
    static final String NAME = "podname|";
    /** {@code ref|ns|kind/name|node|uid} → the node (and DaemonSet) of a pod that references the object ({@link #refKey}). */
    static final String REF = "ref|";
    /** {@code blind|node|ns|uid or name:…} → a pod on the node whose spec was never seen: no verdicts there. */
    static final String BLIND = "blind|";
    /** {@code pending|due|ns|rule|request} → an allowed access waiting out the grace window ({@link PendingAccess}). */
    static final String PENDING = "pending|";
    /** {@code probe|node|ns|kind/name} → a denied object the graph cannot place, within the probing window. */
    static final String PROBE = "probe|";
    /** {@code probed|node|ns} → the node crossed the probing bar in this window (alerted once). */
    static final String PROBED = "probed|";
    /** {@code va|attachment} → the node a VolumeAttachment attaches to. */
    static final String ATTACHMENT = "va|";
    /** {@code vapv|pv|attachment} → the node the PV is attached to through that attachment. */
    static final String ATTACHED_PV = "vapv|";
    /** {@code pvclaim|pv} → the claim ({@code ns/pvc}) it is bound to, from the PV's claimRef. */
    static final String PV_CLAIM = "pvclaim|";
    /** {@code claimuse|ns/pvc|pod uid} → the node of a pod that uses the claim, forwarded from the claim's namespace. */
    static final String CLAIM_USE = "claimuse|";
    /** The reference a DaemonSet's pod holds to its DaemonSet, so a verdict can tell whether a node may run one. */
    static final String DAEMON_SET_REF = PodRefs.DAEMON_SET + "/";
    /** Live pods never expire; a deleted pod's entries expire once it is no longer "recently related". */
    static final long FOREVER = 9_999_999_999_999L;
    static final ObjectMapper JSON = AuditEventReader.mapper();

    /** A due time as a fixed-width key part, so that key order is time order. */
    static String dueKey(long due) {
        String digits = Long.toString(Math.max(0, due));
        return "0".repeat(19 - digits.length()) + digits;
    }

    /**
     * A pod's reference, under its node so that one node's references are one range. A pod no node runs yet has
     * none stored: it makes an object related to no node, and one that only such pods reference is unknown
     * either way (a verdict needs pods on some node).
     */
    static String refKey(String ns, String ref, String node, String uid) {
        return REF + ns + "|" + ref + "|" + node + "|" + uid;
    }

    static PodRecord podByName(ExpiringState state, String ns, String name) {
        return pod(state, ns, state.get(NAME + ns + "|" + name));
    }

    static PodRecord pod(ExpiringState state, String ns, String uid) {
        String stored = uid == null ? null : state.get(POD + ns + "|" + uid);
        return stored == null ? null : PodRecord.decode(stored);
    }

    /**
     * For keys that are seldom there (blind markers): live, a delete writes a tombstone to RocksDB and to the
     * changelog whether or not the key exists, and a read costs less.
     */
    static void deleteIfPresent(ExpiringState state, String key) {
        if (state.get(key) != null) {
            state.delete(key);
        }
    }

    static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    static <T> T read(String json, Class<T> type) {
        try {
            return JSON.readValue(json, type);
        } catch (JsonProcessingException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    static AuditEvent read(String json) {
        return read(json, AuditEvent.class);
    }

    private GraphState() {
    }
}
