package io.auditwatch.detector;

import io.auditwatch.kafka.Topics;
import io.auditwatch.event.AuditEvent;
import io.auditwatch.event.AuditEventReader;
import io.auditwatch.nodegraph.Inventory;
import java.io.IOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Records of {@code auditwatch.inventory} (one pod, or a pod list) as graph events; tombstones are empty. */
final class InventoryRecords {
    private static final Logger LOG = LoggerFactory.getLogger(InventoryRecords.class);

    private InventoryRecords() {
    }

    static List<AuditEvent> pods(byte[] value, AuditEventReader reader) {
        if (value == null) {
            return List.of();
        }
        try {
            return Inventory.events(AuditEventReader.mapper().readTree(value), reader);
        } catch (IOException e) {
            // Operator-supplied and re-publishable: say so loudly rather than stop the stream.
            LOG.warn("skipped an unreadable record on {}: {}", Topics.INVENTORY, e.getMessage() == null ? "?" : e.getMessage().lines().findFirst().orElse("?"));
            return List.of();
        }
    }
}
