package io.auditwatch.engine;

import io.auditwatch.alert.Alert;
import io.auditwatch.event.AuditEvent;
import io.auditwatch.state.ExpiringState;
import java.util.List;

/**
 * One analysis over audit events and its own expiring state. Both hosts run it the same way: they give it
 * only the events it accepts and advance its state's clock to each such event's time first.
 */
public interface Analysis {
    /** Whether this analysis needs the event; the topology filters on it before any repartition. */
    default boolean accepts(AuditEvent event) {
        return true;
    }

    List<Alert> process(AuditEvent event, ExpiringState state);
}
