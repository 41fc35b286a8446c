package io.auditwatch.detector;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.event.WireFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class WireFormatGuardTest {
    /** How Kafka Streams names the consumer that joins the group, from its client id. */
    private static String consumer(String clientId) {
        return clientId + "-StreamThread-1-consumer";
    }

    @Test
    void shouldJoinAGroupOfTheSameVersionOrOfTheReleasesBeforeTheVersionWasAdvertised() {
        assertDoesNotThrow(() -> WireFormatGuard.check("auditwatch-detector", List.of()));
        assertDoesNotThrow(() -> WireFormatGuard.check("auditwatch-detector",
                List.of(consumer(WireFormat.clientId("auditwatch-detector-1a2b3c4d")))));
        // auditwatch 0.1.0 (bd6c680) joins with Kafka Streams' default client id: a rolling upgrade from it goes on.
        assertDoesNotThrow(() -> WireFormatGuard.check("auditwatch-detector",
                List.of(consumer("auditwatch-detector-0b7c1e2a-7d3f-4c1e-9b2a-5e6f7a8b9c0d"))));
    }

    @Test
    void shouldEscapeAMembersClientIdInTheRefusal() {
        IncompatibleFormatException refused = assertThrows(IncompatibleFormatException.class,
                () -> WireFormatGuard.check("g", List.of("evil\n\u001b[31m-wireformat9-StreamThread-1-consumer")));
        assertFalse(refused.getMessage().contains("\n") || refused.getMessage().contains("\u001b"), refused.getMessage());
    }

    @Test
    void shouldRefuseAGroupWithAnInstanceOfAnotherWireFormatNamingBothVersionsTheGroupAndWhatToDo() {
        String newer = consumer("auditwatch-detector-5e6f7a8b-wireformat" + (WireFormat.VERSION + 1));
        IncompatibleFormatException refused = assertThrows(IncompatibleFormatException.class,
                () -> WireFormatGuard.check("prod-detector", List.of(
                        consumer(WireFormat.clientId("auditwatch-detector-1a2b3c4d")), newer)));
        String message = refused.getMessage();
        for (String part : List.of("'prod-detector'", newer, "wire format " + (WireFormat.VERSION + 1),
                "wire format " + WireFormat.VERSION, "scale the detector to zero", "docs/architecture.md#upgrades")) {
            assertTrue(message.contains(part), "names " + part + ": " + message);
        }
    }
}
