package io.auditwatch.e2e;

import io.auditwatch.broker.EmbeddedKafka;
import java.nio.file.Path;
import java.util.Map;

/**
 * Run in a child JVM by {@link BrokerFailoverTest}: one node of a three-node KRaft cluster, with the internal
 * topics replicated three times and two in sync required, as a production cluster (Strimzi's defaults) has them.
 * Args: node id, broker port, controller port, voters, cluster id, data directory. Runs until killed.
 */
public final class ClusterNode {
    static final Map<String, String> THREE_NODES = Map.of(
            "offsets.topic.replication.factor", "3",
            "transaction.state.log.replication.factor", "3",
            "transaction.state.log.min.isr", "2",
            "share.coordinator.state.topic.replication.factor", "3",
            "share.coordinator.state.topic.min.isr", "2");

    private ClusterNode() {
    }

    public static void main(String[] args) throws InterruptedException {
        EmbeddedKafka.startNode(Integer.parseInt(args[0]), Integer.parseInt(args[1]), Integer.parseInt(args[2]),
                args[3], args[4], Path.of(args[5]), THREE_NODES);
        System.out.println("node " + args[0] + " started");
        Thread.currentThread().join();
    }
}
