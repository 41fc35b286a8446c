package io.auditwatch.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExpiringStateTest {
    private static final long T = 1_714_557_600_000L;

    private final TreeMapStore store = new TreeMapStore();
    private final ExpiringState state = new ExpiringState(store);

    private Map<String, String> range(String prefix) {
        Map<String, String> seen = new LinkedHashMap<>();
        state.range(prefix, seen::put);
        return seen;
    }

    @Test
    void shouldReturnWhatWasPut() {
        state.advanceTo(T);
        state.put("user:alice", "3", T + 60_000);

        assertEquals("3", state.get("user:alice"));
        assertNull(state.get("user:bob"));
    }

    @Test
    void putShouldReturnTheLiveValueItReplaces() {
        state.advanceTo(T);
        assertNull(state.put("k", "1", T + 1_000), "nothing there");
        assertEquals("1", state.put("k", "2", T + 1_000));
        assertEquals("2", state.put("k", "2", T + 1_001), "also when only refreshed");
        state.advanceTo(T + 1_001);
        assertNull(state.put("k", "3", T + 5_000), "an expired entry is nothing");
        assertEquals("3", state.get("k"));
        state.expire();
        assertEquals(1, store.size(), "rewritten in place");
    }

    /** A store that counts its reads and writes, for the single-read paths. */
    private static final class CountingStore implements SortedStore {
        final TreeMapStore map = new TreeMapStore();
        int gets;
        int puts;

        @Override
        public String get(String key) {
            gets++;
            return map.get(key);
        }

        @Override
        public void put(String key, String value) {
            puts++;
            map.put(key, value);
        }

        @Override
        public void delete(String key) {
            map.delete(key);
        }

        @Override
        public void range(String from, String to, java.util.function.BiConsumer<String, String> visitor) {
            map.range(from, to, visitor);
        }

        @Override
        public void prefix(String prefix, java.util.function.BiConsumer<String, String> visitor) {
            map.prefix(prefix, visitor);
        }

        @Override
        public String scan(String from, int limit, java.util.function.BiConsumer<String, String> visitor) {
            return map.scan(from, limit, visitor);
        }
    }

    @Test
    void keepShouldExtendTheLiveValueOrStoreTheInitialOneWithOneRead() {
        CountingStore counting = new CountingStore();
        ExpiringState expiring = new ExpiringState(counting);
        expiring.advanceTo(T);
        assertNull(expiring.keep("start", "1", T + 1_000), "nothing there: the initial value is stored");
        assertEquals("1", expiring.keep("start", "2", T + 60_000), "the live value is kept");
        assertEquals(2, counting.gets, "one read each");
        expiring.advanceTo(T + 59_999);
        assertEquals("1", expiring.get("start"), "and lives until the new expiry");
        expiring.advanceTo(T + 60_000);
        assertNull(expiring.keep("start", "3", T + 120_000), "an expired entry is nothing");
        assertEquals("3", expiring.get("start"));
        int writes = counting.puts;
        assertEquals("3", expiring.keep("start", "4", T + 120_001));
        assertEquals(writes, counting.puts, "a refresh by a sliver of its life is not written, as with put");
    }

    @Test
    void replaceShouldWriteWithoutReading() {
        CountingStore counting = new CountingStore();
        ExpiringState expiring = new ExpiringState(counting);
        expiring.advanceTo(T);
        expiring.replace("k", "1", T + 1_000);
        expiring.replace("k", "1,2", T + 2_000);
        assertEquals(0, counting.gets);
        assertEquals(2, counting.puts);
        expiring.advanceTo(T + 1_999);
        assertEquals("1,2", expiring.get("k"));
        expiring.advanceTo(T + 2_000);
        assertNull(expiring.get("k"));
    }

    @Test
    void putIfAbsentShouldStoreOnlyWhenNoLiveEntryIsThere() {
        state.advanceTo(T);
        assertTrue(state.putIfAbsent("k", "first", T + 1_000));
        assertFalse(state.putIfAbsent("k", "second", T + 9_000));
        assertEquals("first", state.get("k"), "value and expiry unchanged");
        state.advanceTo(T + 1_000);
        assertNull(state.get("k"));
        assertTrue(state.putIfAbsent("k", "third", T + 2_000), "an expired entry counts as absent");
        assertEquals("third", state.get("k"));
        assertEquals(1, store.size(), "rewritten in place");
        state.advanceTo(T + 2_000);
        assertEquals(1, state.expire());
        assertEquals(0, store.size());
    }

    @Test
    void shouldKeepValuesContainingTheSeparator() {
        state.put("k", "a|b|c", T);

        assertEquals("a|b|c", state.get("k"));
        assertEquals(Map.of("k", "a|b|c"), range("k"));
    }

    @Test
    void shouldHideAnEntryFromGetOnceTimePassesItsExpiryEvenBeforeItIsPurged() {
        state.advanceTo(T);
        state.put("k", "v", T + 1_000);

        state.advanceTo(T + 999);
        assertEquals("v", state.get("k"));

        state.advanceTo(T + 1_000);
        assertNull(state.get("k"), "due at its expiry time");
        assertEquals(1, store.size(), "hidden, not yet purged");
    }

    @Test
    void shouldHideAnExpiredEntryFromRangeEvenBeforeItIsPurged() {
        state.advanceTo(T);
        state.put("node:a", "1", T + 1_000);
        state.put("node:b", "2", T + 5_000);

        state.advanceTo(T + 2_000);

        assertEquals(Map.of("node:b", "2"), range("node:"));
        assertEquals(2, store.size());
    }

    @Test
    void shouldNotMoveItsClockBackwards() {
        state.advanceTo(T + 2_000);
        state.advanceTo(T);
        state.put("k", "v", T + 1_000);

        assertNull(state.get("k"));
    }

    @Test
    void shouldPurgeEveryExpiredEntryOnExpire() {
        state.advanceTo(T);
        state.put("a", "1", T + 1_000);
        state.put("b", "2", T + 2_000);
        state.put("c", "3", T + 3_000);
        assertEquals(3, store.size(), "one record per entry, its expiry in its value");

        state.advanceTo(T + 2_000);
        int purged = state.expire();

        assertEquals(2, purged);
        assertEquals(1, store.size(), "only c is left");
        assertEquals("3", state.get("c"));
        assertNull(store.get("v|a"));
        assertNull(store.get("v|b"));
    }

    @Test
    void shouldPurgeNothingBeforeAnythingIsDue() {
        state.advanceTo(T);
        state.put("a", "1", T + 1_000);

        assertEquals(0, state.expire());
        assertEquals(1, store.size());
        assertEquals("1", state.get("a"));
    }

    @Test
    void shouldPurgeNothingBeforeTheClockWasEverAdvanced() {
        state.put("a", "1", 0);
        state.put("b", "2", T);

        assertEquals(0, state.expire());
        assertEquals("1", state.get("a"));
    }

    @Test
    void shouldMoveTheExpiryWhenAnEntryIsOverwritten() {
        state.advanceTo(T);
        state.put("k", "old", T + 1_000);
        state.put("k", "new", T + 10_000);
        assertEquals(1, store.size(), "still one record");

        state.advanceTo(T + 5_000);
        assertEquals("new", state.get("k"));
        assertEquals(0, state.expire(), "the old expiry no longer purges it");
        assertEquals("new", state.get("k"));

        state.advanceTo(T + 10_000);
        assertEquals(1, state.expire());
        assertEquals(0, store.size());
    }

    @Test
    void shouldMoveTheExpiryEarlierWhenAnEntryIsOverwritten() {
        state.advanceTo(T);
        state.put("k", "old", T + 10_000);
        state.put("k", "new", T + 1_000);

        state.advanceTo(T + 1_000);
        assertNull(state.get("k"));
        assertEquals(1, state.expire());
        assertEquals(0, store.size());
    }

    @Test
    void shouldDeleteAnEntry() {
        state.advanceTo(T);
        state.put("a", "1", T + 1_000);
        state.put("b", "2", T + 1_000);

        state.delete("a");

        assertNull(state.get("a"));
        assertEquals("2", state.get("b"));
        assertEquals(1, store.size());
        state.advanceTo(T + 1_000);
        assertEquals(1, state.expire(), "a deleted entry is not purged again");
    }

    @Test
    void shouldIgnoreDeletingAnAbsentKey() {
        state.put("a", "1", T);

        state.delete("nope");

        assertEquals(1, store.size());
    }

    @Test
    void shouldRangeOverEveryKeyStartingWithThePrefixIncludingLongerOnes() {
        state.advanceTo(T);
        state.put("node:ip-10-0-1-1", "a", T + 1_000);
        state.put("node:ip-10-0-1-17", "b", T + 1_000);
        state.put("node:ip-10-0-1-1|pod:web", "c", T + 1_000);
        state.put("node:ip-10-0-1-2", "d", T + 1_000);
        state.put("node:ip-10-0-1-", "e", T + 1_000);
        state.put("pod:ip-10-0-1-1", "f", T + 1_000);

        assertEquals(List.of("node:ip-10-0-1-1", "node:ip-10-0-1-17", "node:ip-10-0-1-1|pod:web"),
                List.copyOf(range("node:ip-10-0-1-1").keySet()), "every match, in key order");
        assertEquals(Map.of("node:ip-10-0-1-1|pod:web", "c"), range("node:ip-10-0-1-1|"));
        assertEquals(5, range("node:").size());
        assertEquals(6, range("").size(), "the empty prefix is every live entry, never the expiry index");
        assertEquals(Map.of(), range("node:ip-10-0-1-3"));
    }

    @Test
    void shouldRangeOverKeysWhoseNextCharacterIsTheHighestUtf16Unit() {
        state.put("k\uFFFF", "1", T);
        state.put("k\uFFFFx", "2", T);
        state.put("k\uD83D\uDE00", "3", T);

        assertEquals(Map.of("k\uFFFF", "1", "k\uFFFFx", "2", "k\uD83D\uDE00", "3"), range("k"));
    }

    @Test
    void shouldAllowTheVisitorToDeleteWhatItVisits() {
        state.put("a1", "1", T);
        state.put("a2", "2", T);
        state.put("b1", "3", T);

        state.range("a", (k, v) -> state.delete(k));

        assertEquals(Map.of("b1", "3"), range(""));
        assertEquals(1, store.size());
    }

    @Test
    void shouldVisitTreeMapStoreRangesHalfOpenInKeyOrder() {
        TreeMapStore s = new TreeMapStore();
        s.put("b", "2");
        s.put("a", "1");
        s.put("c", "3");
        s.put("d", "4");
        Map<String, String> seen = new LinkedHashMap<>();

        s.range("b", "d", seen::put);

        assertEquals(List.of("b", "c"), List.copyOf(seen.keySet()));
    }

    @Test
    void treeMapStoreShouldKeepKeyOrderAcrossRewritesAndScanASnapshot() {
        TreeMapStore s = new TreeMapStore();
        s.put("p|b", "1");
        s.put("p|a", "1");
        s.put("p|b", "2");
        s.put("q", "3");
        s.delete("missing");
        assertEquals(3, s.size());
        Map<String, String> seen = new LinkedHashMap<>();

        s.prefix("p|", (k, v) -> {
            seen.put(k, v);
            s.delete("p|b");   // a later key deleted by the visitor is still visited, as the Kafka Streams host does
            s.put("q", "changed");
        });

        assertEquals(Map.of("p|a", "1", "p|b", "2"), seen);
        assertEquals(List.of("p|a", "p|b"), List.copyOf(seen.keySet()));
        assertNull(s.get("p|b"));
        Map<String, String> rest = new LinkedHashMap<>();
        s.range("", "z", rest::put);
        assertEquals(Map.of("p|a", "1", "q", "changed"), rest);
        assertEquals(2, s.size());
    }

    @Test
    void shouldSkipRewritingAnUnchangedEntryRefreshedByLessThanASixtyFourthOfItsLife() {
        TreeMapStore backing = new TreeMapStore();
        ExpiringState expiring = new ExpiringState(backing);
        expiring.advanceTo(1_000);
        expiring.put("window", "start", 65_000);

        expiring.advanceTo(1_500);
        expiring.put("window", "start", 65_500);   // pushed by 500 ms of a 64 s life: kept as it was
        expiring.advanceTo(64_999);
        org.junit.jupiter.api.Assertions.assertEquals("start", expiring.get("window"));
        expiring.advanceTo(65_000);
        org.junit.jupiter.api.Assertions.assertNull(expiring.get("window"), "expires at the first expiry");

        expiring.put("window", "start", 200_000);
        expiring.put("window", "changed", 200_100); // a new value is always written
        org.junit.jupiter.api.Assertions.assertEquals("changed", expiring.get("window"));
        expiring.put("window", "changed", 400_000); // a long push is written too
        expiring.advanceTo(300_000);
        org.junit.jupiter.api.Assertions.assertEquals("changed", expiring.get("window"));
        org.junit.jupiter.api.Assertions.assertEquals(1, backing.size());
    }

    @Test
    void shouldSweepASliceAtATimeAndComeBackForTheRest() {
        state.advanceTo(T);
        for (int i = 0; i < 3_000; i++) {
            state.put(String.format("k%05d", i), "", T + 1_000);
        }
        assertEquals(0, state.expire(), "nothing due yet: a sweep of the whole store, as 3,000 writes allow");
        state.advanceTo(T + 1_000);

        assertEquals(1_024, state.expire(), "no writes since: one slice of the minimum size");
        assertEquals(1_024, state.expire(), "the next slice, where the last sweep stopped");
        assertEquals(952, state.expire(), "the rest, then round to the first key again");
        assertEquals(0, store.size());
    }

    @Test
    void shouldSweepFasterThanItIsWrittenTo() {
        state.advanceTo(T);
        for (int i = 0; i < 5_000; i++) {
            state.put("old" + i, "", T + 1_000);
        }
        state.advanceTo(T + 1_000);
        for (int i = 0; i < 5_000; i++) {
            state.put("new" + i, "", T + 60_000);
        }

        assertEquals(5_000, state.expire(), "twice the 10,000 writes: the whole store in one sweep");
        assertEquals(5_000, store.size());
    }

    @Test
    void shouldSweepAwayTheExpiryIndexOfEarlierVersions() {
        store.put("x|1714557601000|a", "");
        store.put("v|a", (T + 1_000) + "|1");
        state.advanceTo(T);

        assertEquals(1, state.expire());
        assertEquals("1", state.get("a"));
        assertEquals(1, store.size());
    }
}
