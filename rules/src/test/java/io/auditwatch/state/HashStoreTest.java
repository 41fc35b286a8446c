package io.auditwatch.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HashStoreTest {
    private static final long T = 1_714_557_600_000L;

    private final HashStore store = new HashStore();

    @Test
    void shouldGetPutAndDeleteByKey() {
        store.put("a", "1");
        store.put("a", "2");
        store.put("b", "3");

        assertEquals("2", store.get("a"));
        store.delete("a");
        assertNull(store.get("a"));
        assertEquals(1, store.size());
    }

    @Test
    void shouldRefuseRangesForItKeepsNoOrder() {
        assertThrows(UnsupportedOperationException.class, () -> store.range("a", "b", (k, v) -> { }));
        assertThrows(UnsupportedOperationException.class, () -> store.prefix("a", (k, v) -> { }));
    }

    @Test
    void shouldVisitEveryKeyOnceInAPassOfSlicesWhileVisitedKeysAreDeleted() {
        for (int i = 0; i < 2_500; i++) {
            store.put("k" + i, "v" + i);
        }
        List<String> visited = new ArrayList<>();
        String last = store.scan("", 1_000, (k, v) -> {
            assertEquals("v" + k.substring(1), v);
            visited.add(k);
            store.delete(k);
        });
        int slices = 1;
        while (last != null) {
            last = store.scan(last + '\0', 1_000, (k, v) -> {
                visited.add(k);
                store.delete(k);
            });
            slices++;
        }

        assertEquals(3, slices);
        assertEquals(2_500, visited.size());
        assertEquals(2_500, new HashSet<>(visited).size(), "each key once");
        assertEquals(0, store.size());
    }

    @Test
    void shouldLeaveKeysWrittenDuringAPassToTheNextPassAndSkipKeysDeletedMeanwhile() {
        store.put("a", "1");
        store.put("b", "2");
        store.put("c", "3");
        List<String> first = new ArrayList<>();
        String last = store.scan("", 1, (k, v) -> first.add(k));
        store.put("d", "4");
        String gone = Set.of("a", "b", "c").stream().filter(k -> !first.contains(k)).findFirst().orElseThrow();
        store.delete(gone);
        while (last != null) {
            last = store.scan(last + '\0', 1, (k, v) -> first.add(k));
        }

        assertEquals(2, first.size(), "the deleted key is skipped: " + first);
        assertTrue(!first.contains("d") && !first.contains(gone), first.toString());
        List<String> second = new ArrayList<>();
        assertNull(store.scan("", 10, (k, v) -> second.add(k)));
        Set<String> left = new HashSet<>(Set.of("a", "b", "c", "d"));
        left.remove(gone);
        assertEquals(left, new HashSet<>(second), "a new pass: every key there is now, once");
        assertEquals(3, second.size());
    }

    @Test
    void shouldLetExpiringStatePurgeWhatExpired() {
        ExpiringState state = new ExpiringState(store);
        state.advanceTo(T);
        for (int i = 0; i < 3_000; i++) {
            assertTrue(state.putIfAbsent("req-" + i, "", T + (i % 2 == 0 ? 1_000 : 60_000)));
        }
        state.advanceTo(T + 1_000);

        assertEquals(1_500, state.expire());
        assertEquals(1_500, store.size());
        assertNull(state.get("req-0"));
        assertEquals("", state.get("req-1"));
    }
}
