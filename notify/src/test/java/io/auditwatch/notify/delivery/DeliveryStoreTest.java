package io.auditwatch.notify.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.notify.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeliveryStoreTest {
    @TempDir
    Path dir;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));

    @Test
    void shouldRememberDeliveriesAcrossARestart() {
        try (DeliveryStore store = DeliveryStore.open(dir, Duration.ofDays(7), clock)) {
            store.record("slack", "a1");
            assertTrue(store.contains("slack", "a1"));
            assertFalse(store.contains("pagerduty", "a1"), "per destination");
        }
        try (DeliveryStore store = DeliveryStore.open(dir, Duration.ofDays(7), clock)) {
            assertTrue(store.contains("slack", "a1"));
            assertFalse(store.contains("slack", "a2"));
        }
    }

    @Test
    void shouldIgnoreALineTornByACrashAndKeepTheWholeOnes() throws Exception {
        try (DeliveryStore store = DeliveryStore.open(dir, Duration.ofDays(7), clock)) {
            store.record("slack", "a1");
        }
        Files.writeString(dir.resolve(DeliveryStore.FILE), "17643", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        try (DeliveryStore store = DeliveryStore.open(dir, Duration.ofDays(7), clock)) {
            assertTrue(store.contains("slack", "a1"));
            store.record("slack", "a2");
        }
        try (DeliveryStore store = DeliveryStore.open(dir, Duration.ofDays(7), clock)) {
            assertTrue(store.contains("slack", "a2"), "written after the torn line was dropped");
        }
        assertEquals(2, Files.readAllLines(dir.resolve(DeliveryStore.FILE)).size());
    }

    @Test
    void shouldDropDeliveriesOlderThanTheRetention() {
        try (DeliveryStore store = DeliveryStore.open(dir, Duration.ofDays(7), clock)) {
            store.record("slack", "old");
            clock.advance(Duration.ofDays(6));
            store.record("slack", "recent");
        }
        clock.advance(Duration.ofDays(2));
        try (DeliveryStore store = DeliveryStore.open(dir, Duration.ofDays(7), clock)) {
            assertFalse(store.contains("slack", "old"));
            assertTrue(store.contains("slack", "recent"));
        }
    }

    @Test
    void shouldRefuseASecondNotifierOnTheSameStore() {
        try (DeliveryStore store = DeliveryStore.open(dir, Duration.ofDays(7), clock)) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> DeliveryStore.open(dir, Duration.ofDays(7), clock));
            assertTrue(e.getMessage().contains("in use by another notifier"), e.getMessage());
        }
    }

    @Test
    void shouldWriteNothingFromTheAlertItself() throws Exception {
        try (DeliveryStore store = DeliveryStore.open(dir, Duration.ofDays(7), clock)) {
            store.record("slack", "<!channel> secret-looking-id");
        }
        String content = Files.readString(dir.resolve(DeliveryStore.FILE));
        assertFalse(content.contains("channel") || content.contains("slack"), content);
    }
}
