package io.auditwatch.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SplitStoreTest {
    private final SplitStore store = new SplitStore(List.of("h|", "k|"));

    @Test
    void shouldReadWriteAndDeleteKeysOnEitherSide() {
        store.put("h|1", "a");
        store.put("o|1", "b");
        assertEquals("a", store.get("h|1"));
        assertEquals("b", store.get("o|1"));
        store.delete("h|1");
        store.delete("o|1");
        assertNull(store.get("h|1"));
        assertNull(store.get("o|1"));
        assertEquals(0, store.size());
    }

    @Test
    void shouldRangeOverTheOrderedKeysAndRefuseARangeThatReachesTheHashedOnes() {
        store.put("h|1", "hashed");
        store.put("i|1", "ordered");
        store.put("i|2", "ordered");
        store.put("j|1", "ordered");
        Map<String, String> seen = new LinkedHashMap<>();
        store.range("i|", "j|", seen::put);
        assertEquals(List.of("i|1", "i|2"), List.copyOf(seen.keySet()));
        seen.clear();
        store.range("h}", "j|2", seen::put);
        assertEquals(List.of("i|1", "i|2", "j|1"), List.copyOf(seen.keySet()), "a range from past the hashed keys");
        seen.clear();
        store.prefix("i|", seen::put);
        assertEquals(List.of("i|1", "i|2"), List.copyOf(seen.keySet()));
        // Each would miss h|1 (or k|...): refused rather than answered wrong.
        assertThrows(UnsupportedOperationException.class, () -> store.range("", "z", (k, v) -> { }));
        assertThrows(UnsupportedOperationException.class, () -> store.range("h|0", "h|2", (k, v) -> { }));
        assertThrows(UnsupportedOperationException.class, () -> store.range("a", "h|1", (k, v) -> { }));
        assertThrows(UnsupportedOperationException.class, () -> store.prefix("h|", (k, v) -> { }));
        assertThrows(UnsupportedOperationException.class, () -> store.prefix("h", (k, v) -> { }));
        assertThrows(UnsupportedOperationException.class, () -> store.prefix("k|7", (k, v) -> { }));
        assertThrows(UnsupportedOperationException.class, () -> store.range("h|9" + '\uffff', "z", (k, v) -> { }));
        // Up to a hashed prefix, or between two, is all ordered keys.
        seen.clear();
        store.range("a", "h|", seen::put);
        store.range("i", "k|", seen::put);
        assertEquals(List.of("i|1", "i|2", "j|1"), List.copyOf(seen.keySet()));
    }

    @Test
    void scanShouldPassOverTheOrderedKeysInOrderThenTheHashedOnesAcrossSlices() {
        for (int i = 0; i < 5; i++) {
            store.put("o|" + i, "");
            store.put("h|" + i, "");
            store.put("k|" + i, "");
        }
        List<String> visited = new ArrayList<>();
        String from = "";
        int slices = 0;
        do {
            String last = store.scan(from, 4, (k, v) -> visited.add(k));
            from = last == null ? null : last + '\0';
            slices++;
        } while (from != null);
        assertEquals(4, slices, "15 keys, 4 a slice");
        assertEquals(List.of("o|0", "o|1", "o|2", "o|3", "o|4"), visited.subList(0, 5));
        assertEquals(15, visited.stream().distinct().count());
        visited.clear();
        store.scan("", 100, (k, v) -> visited.add(k));
        assertEquals(15, visited.size(), "an empty start begins a new pass");
    }

    @Test
    void expiringStateShouldSweepBothSides() {
        SplitStore split = new SplitStore(List.of(ExpiringState.storeKey("h|")));
        ExpiringState onSplit = new ExpiringState(split);
        onSplit.advanceTo(1_000);
        for (int i = 0; i < 3_000; i++) {
            onSplit.put("h|" + i, "", 2_000);
            onSplit.put("o|" + i, "", i < 1_500 ? 2_000 : 9_000);
        }
        onSplit.advanceTo(2_000);
        int purged = 0;
        for (int i = 0; i < 10 && split.size() > 1_500; i++) {
            purged += onSplit.expire();
        }
        assertEquals(4_500, purged);
        assertEquals(1_500, split.size());
    }
}
