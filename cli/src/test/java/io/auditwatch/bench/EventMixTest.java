package io.auditwatch.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.event.AuditEvent;
import io.auditwatch.event.AuditEventReader;
import io.auditwatch.event.ReadResult;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EventMixTest {
    private final AuditEventReader reader = new AuditEventReader(AuditEventReader.DEFAULT_MAX_EVENT_BYTES, "default");

    @Test
    void theSameSeedGivesTheSameBytesAndAnotherSeedOthers() {
        EventMix a = new EventMix(7, 10, 300, 5_000);
        EventMix b = new EventMix(7, 10, 300, 5_000);
        EventMix c = new EventMix(8, 10, 300, 5_000);
        boolean differs = false;
        for (int i = 0; i < 5_000; i++) {
            byte[] first = a.next().json();
            assertArrayEquals(first, b.next().json(), "event " + i);
            differs |= !Arrays.equals(first, c.next().json());
        }
        assertTrue(differs);
    }

    @Test
    void everyEventParsesAndTheMixHasItsParts() {
        EventMix mix = new EventMix(1, 10, 300, 5_000);
        Set<String> seen = new HashSet<>();
        int prompt = 0;
        long previousTime = 0;
        for (int i = 0; i < 20_000; i++) {
            EventMix.Generated generated = mix.next();
            ReadResult result = reader.read(generated.json(), 0L);
            assertTrue(result.rejections().isEmpty(), () -> result.rejections() + " in " + new String(generated.json()));
            assertEquals(1, result.events().size());
            AuditEvent e = result.events().get(0);
            assertEquals(generated.auditID(), e.auditID);
            assertTrue(e.eventTimeMillis() >= previousTime, "event time never goes back");
            previousTime = e.eventTimeMillis();
            seen.add(e.verb + " " + e.resource() + (e.subresource() == null ? "" : "/" + e.subresource()) + " "
                    + e.identity().kind());
            if (generated.promptAttack()) {
                prompt++;
                assertFalse(e.identity().isNode(), "a prompt attack alerts at once, unlike node-graph verdicts");
            }
        }
        assertTrue(seen.containsAll(Set.of("create pods SERVICE_ACCOUNT", "create pods/binding USER", "delete pods SERVICE_ACCOUNT",
                "get secrets NODE", "get pods/exec USER")), seen.toString());
        // About 0.8% of the requests after the cluster is populated are prompt attacks.
        assertTrue(prompt > 50 && prompt < 300, "prompt attacks: " + prompt);
    }
}
