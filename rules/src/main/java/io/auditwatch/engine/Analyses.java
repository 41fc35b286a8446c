package io.auditwatch.engine;

import io.auditwatch.dedup.RequestDedup;
import io.auditwatch.nodegraph.NodeGraph;
import io.auditwatch.nodegraph.TokenSources;
import io.auditwatch.rules.TunedRules;
import java.time.Duration;

/**
 * Every analysis a host runs, built once from the settings; the topology and replay both take one.
 * {@code engine} runs the rules: the default pack (tunable at run time), or the rules a replay was given.
 */
public record Analyses(RequestDedup dedup, Analysis engine, NodeGraph nodeGraph, TokenSources tokenSources) {
    /** How long a deleted pod still entitles its node: its kubelet tears it down after the delete. */
    public static final Duration RECENTLY_RELATED = Duration.ofMinutes(10);
    /** How long a node is watched before a new address of one of its tokens counts as foreign. */
    public static final Duration SOURCE_LEARNING = Duration.ofMinutes(10);
    /** How long an address stays known for a node after it was last seen. */
    public static final Duration SOURCE_MEMORY = Duration.ofDays(30);

    /**
     * @param requestMemory how long a request that alerted is remembered, from when it was seen (event time)
     * @param nodeGrace     how long an allowed node access waits for a late create or binding to justify it
     */
    public static Analyses standard(Duration requestMemory, Duration nodeGrace) {
        TunedRules rules = TunedRules.defaults(requestMemory);
        return standard(requestMemory, nodeGrace, rules, rules);
    }

    /**
     * The standard analyses with {@code rules} instead of the default pack, and the node rules as {@code tuning}
     * says (the tuned default pack, or {@link AnalysisRules#BUILT_IN}).
     */
    public static Analyses standard(Duration requestMemory, Duration nodeGrace, Analysis rules, AnalysisRules tuning) {
        return new Analyses(new RequestDedup(requestMemory), rules,
                new NodeGraph(nodeGrace, requestMemory, RECENTLY_RELATED, tuning),
                new TokenSources(SOURCE_LEARNING, SOURCE_MEMORY, requestMemory, tuning));
    }
}
