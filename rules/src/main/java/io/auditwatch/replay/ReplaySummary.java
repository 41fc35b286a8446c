package io.auditwatch.replay;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What a replay read and found; printed at the end of {@code auditwatch replay}. */
public record ReplaySummary(long payloads, long events, long duplicates, long alerts,
                            Map<String, Long> rejectedByReason, List<String> damagedInputs,
                            Map<String, Long> nodeCoverage) {

    public long rejected() {
        return rejectedByReason.values().stream().mapToLong(Long::longValue).sum();
    }

    /** True when every input was read to its end, every payload was usable, and there was at least one event. */
    public boolean clean() {
        return damagedInputs.isEmpty() && rejected() == 0 && events > 0;
    }

    public String line() {
        return String.format("replayed %d events (%d exact repeats of a request stage dropped), %d rejected%s, %s%s",
                events, duplicates, rejected(), rejectedByReason.isEmpty() ? "" : " " + rejectedByReason,
                count(alerts, "alert"), damagedInputs.isEmpty() ? ""
                        : "; " + count(damagedInputs.size(), "input") + " damaged, read up to the break");
    }

    /** {@code 1 alert}, {@code 2 alerts}. */
    public static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    /**
     * How much of what node credentials touched the graph could judge. Unknown means the referencing pods were
     * never seen: the audit policy logs pods below RequestResponse, or the pods predate the log and no
     * inventory was given.
     */
    public String coverageLine() {
        Map<String, Long> byVerdict = new TreeMap<>();
        Map<String, Long> unknownByNode = new TreeMap<>();
        nodeCoverage.forEach((key, count) -> {
            String node = key.substring(0, key.lastIndexOf('|'));
            String verdict = key.substring(key.lastIndexOf('|') + 1);
            byVerdict.merge(verdict, count, Long::sum);
            if ("unknown".equals(verdict)) {
                unknownByNode.put(node, count);
            }
        });
        long total = byVerdict.values().stream().mapToLong(Long::longValue).sum();
        return String.format("node graph: %d node-credential accesses judged: %d related, %d unrelated, %d unknown%s",
                total, byVerdict.getOrDefault("related", 0L), byVerdict.getOrDefault("unrelated", 0L),
                byVerdict.getOrDefault("unknown", 0L), unknownByNode.isEmpty() ? ""
                        : " (unknown by node " + unknownByNode + ": pods never seen; give --inventory or log pods at RequestResponse)");
    }
}
