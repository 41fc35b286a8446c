package io.auditwatch.event;

import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The version of what detector instances of one application id hand each other through Kafka: events on the
 * repartition and graph-forward topics ({@link EventCodec}), and every store's records in its changelog (the
 * engine's correlation counts, baselines and per-request memory, the node graph's packed {@code Fields}, token
 * sources). Instances of one version read each other's records and state; instances of two versions may not, so
 * a detector refuses to join a group whose instances advertise another version (in their Kafka client id, where
 * describing the consumer group shows it).
 *
 * <p>Bump {@link #VERSION} with any change to those layouts that the previous release cannot read, and give
 * {@link EventCodec#FORMAT} a new first byte when its layout changes. {@code WireFormatTest} fails when
 * EventCodec's output for a fixed event changes and the version does not; {@code UpgradeTest} when the previous
 * release's topics, changelogs or state directory are no longer read as they were.
 */
public final class WireFormat {
    /**
     * This release's version. It starts at 2, the first byte of EventCodec's form in the releases up to 0.1.0
     * (bd6c680), which do not advertise a version: theirs is this one.
     */
    public static final int VERSION = 2;
    /** The version of instances that advertise none: releases up to 0.1.0 (bd6c680), whose layouts are VERSION 2's. */
    public static final int UNADVERTISED = 2;
    private static final String MARKER = "wireformat";
    private static final Pattern ADVERTISED = Pattern.compile("(?:^|[-.])" + MARKER + "(\\d{1,9})(?:[-.]|$)");

    private WireFormat() {
    }

    /** {@code base} with this version appended, as a Kafka client id: e.g. {@code auditwatch-detector-wireformat2}. */
    public static String clientId(String base) {
        return base + "-" + MARKER + VERSION;
    }

    /** The version a Kafka client id advertises ({@link #clientId}), or {@link #UNADVERTISED} when it names none. */
    public static int advertisedBy(String clientId) {
        Matcher m = ADVERTISED.matcher(clientId == null ? "" : clientId);
        return m.find() ? Integer.parseInt(m.group(1)) : UNADVERTISED;
    }

    /** The version a record's first byte names when it is an EventCodec form newer than this one's, else empty. */
    public static OptionalInt newerEventFormat(byte first) {
        // EventCodec forms take the bytes after FORMAT up to '{' (a JSON object); older forms are 0x01, '{' and
        // CBOR maps (0xA0-0xBF).
        return first > EventCodec.FORMAT && first < '{' ? OptionalInt.of(first) : OptionalInt.empty();
    }
}
