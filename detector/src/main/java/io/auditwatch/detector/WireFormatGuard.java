package io.auditwatch.detector;

import io.auditwatch.alert.ConsoleFormat;
import io.auditwatch.event.WireFormat;
import io.auditwatch.kafka.KafkaAdmin;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.MemberDescription;

/**
 * Before a detector joins its application's consumer group: the instances already in it must hand records and
 * state over in this version's wire format ({@link WireFormat}), or this one refuses to start. A rolling upgrade
 * between two versions of one format goes on; one that changes the format stops at the first new instance, whose
 * exit says so, while the old instances keep detecting.
 */
final class WireFormatGuard {
    private WireFormatGuard() {
    }

    /** @throws IncompatibleFormatException when a member of group {@code applicationId} advertises another format */
    static void requireCompatible(String bootstrapServers, String applicationId) {
        List<MemberDescription> members;
        try (KafkaAdmin admin = KafkaAdmin.open(bootstrapServers, Duration.ofSeconds(30))) {
            members = admin.members(applicationId);
        }
        check(applicationId, members.stream().map(MemberDescription::clientId).toList());
    }

    /** @throws IncompatibleFormatException when one of {@code clientIds} advertises another format than this one */
    static void check(String group, Collection<String> clientIds) {
        // Client ids are whatever a group member chose: escaped before they reach a terminal or a log.
        List<String> others = clientIds.stream().filter(id -> WireFormat.advertisedBy(id) != WireFormat.VERSION)
                .map(ConsoleFormat::escape).sorted().toList();
        if (others.isEmpty()) {
            return;
        }
        String versions = others.stream().map(id -> Integer.toString(WireFormat.advertisedBy(id))).distinct()
                .collect(Collectors.joining(", "));
        throw new IncompatibleFormatException("refusing to join consumer group '" + group + "': its instances "
                + others + " exchange events and state in wire format " + versions + ", this auditwatch in wire"
                + " format " + WireFormat.VERSION + ", and one cannot read the other's; "
                + IncompatibleFormatException.WHAT_TO_DO + ". A stopped instance stays a member until its session"
                + " times out (session.timeout.ms, 45 s).");
    }
}
