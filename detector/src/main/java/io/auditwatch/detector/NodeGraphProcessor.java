package io.auditwatch.detector;

import io.auditwatch.alert.Alert;
import io.auditwatch.event.AuditEvent;
import io.auditwatch.nodegraph.NodeGraph;
import io.auditwatch.state.ExpiringState;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Hosts the {@link NodeGraph} on the {@value DetectorTopology#NODE_GRAPH_STORE} store, keyed by namespace:
 * alerts keyed by dedup key, and what the graph sends another of its partitions keyed by that partition.
 */
final class NodeGraphProcessor implements Processor<String, AuditEvent, String, GraphOutput> {
    private final NodeGraph graph;
    private ProcessorContext<String, GraphOutput> context;
    private ExpiringState state;

    NodeGraphProcessor(NodeGraph graph) {
        this.graph = graph;
    }

    @Override
    public void init(ProcessorContext<String, GraphOutput> context) {
        this.context = context;
        this.state = ExpiringStores.open(context, DetectorTopology.NODE_GRAPH_STORE);
    }

    @Override
    public void process(Record<String, AuditEvent> record) {
        state.advanceTo(record.value().eventTimeMillis());
        for (Alert alert : graph.process(record.value(), state, forward -> context.forward(new Record<>(
                NodeGraph.partitionKey(forward), new GraphOutput(null, forward), context.currentSystemTimeMs())))) {
            context.forward(new Record<>(alert.dedupKey(), new GraphOutput(alert, null), record.timestamp()));
        }
    }
}
