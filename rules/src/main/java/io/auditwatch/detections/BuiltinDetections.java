package io.auditwatch.detections;

import io.auditwatch.engine.Detection;
import java.util.List;

/**
 * Detections written in Java because the rule language cannot say them yet; they run beside the rule pack.
 * Everything else is a rule of the default pack (rules/src/main/resources/io/auditwatch/rules/pack).
 */
public final class BuiltinDetections {
    private BuiltinDetections() {
    }

    public static List<Detection> all() {
        return List.of(new NodeCredentialNonNodeAction());
    }
}
