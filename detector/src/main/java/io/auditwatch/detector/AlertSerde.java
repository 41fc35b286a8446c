package io.auditwatch.detector;

import io.auditwatch.alert.Alert;
import io.auditwatch.alert.AlertCodec;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** Alerts as JSON (docs/architecture.md, Alerts) on {@code auditwatch.alerts}. */
public final class AlertSerde {
    private AlertSerde() {
    }

    public static Serde<Alert> create() {
        return Serdes.serdeFrom((topic, alert) -> AlertCodec.toBytes(alert), (topic, bytes) -> AlertCodec.fromJson(bytes));
    }
}
