package io.auditwatch.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** What a command and a readiness probe see when Kafka is not there (with a broker: the cli's broker tests). */
class KafkaAdminTest {
    private static String closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return "127.0.0.1:" + s.getLocalPort();
        }
    }

    @Test
    void shouldSayInOneSentenceThatKafkaCannotBeReached() throws IOException {
        String bootstrap = closedPort();

        KafkaUnreachableException e = assertThrows(KafkaUnreachableException.class,
                () -> KafkaAdmin.requireReachable(bootstrap, Duration.ofSeconds(1)));
        assertEquals("cannot reach Kafka at " + bootstrap + " within 1 s (is it running? start one with"
                + " 'auditwatch broker', or fix --bootstrap-servers)", e.getMessage());
    }

    @Test
    void shouldNameTheFlagWhenTheAddressIsNotOne() {
        KafkaUnreachableException e = assertThrows(KafkaUnreachableException.class,
                () -> KafkaAdmin.open("no port here", Duration.ofSeconds(1)));
        assertTrue(e.getMessage().startsWith("invalid --bootstrap-servers 'no port here': "), e.getMessage());
    }

    @Test
    void shouldReportNotReadyWithoutThrowingAndAskAtMostOncePerCachePeriod() throws IOException {
        try (KafkaAdmin admin = KafkaAdmin.open(closedPort(), Duration.ofMillis(500))) {
            BooleanSupplier ready = admin.probe(Duration.ofMinutes(1));

            long started = System.nanoTime();
            assertFalse(ready.getAsBoolean());
            long firstAsk = System.nanoTime() - started;
            started = System.nanoTime();
            assertFalse(ready.getAsBoolean());
            long secondAsk = System.nanoTime() - started;

            assertTrue(firstAsk >= Duration.ofMillis(400).toNanos(), "the first probe asks Kafka and waits for it");
            assertTrue(secondAsk < firstAsk / 4, "the second answers from the cache: " + secondAsk + " ns");
        }
    }
}
