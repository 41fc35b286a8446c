package io.auditwatch.detections;

import io.auditwatch.engine.Detection;
import java.util.List;

/** The detections the engine runs until the rule language replaces them. */
public final class BuiltinDetections {
    private BuiltinDetections() {
    }

    public static List<Detection> all() {
        return List.of(new PodExec(), new PodPortForward(), new SecretRead(), new AnonymousAllowed(),
                new NodeCredentialNonNodeAction());
    }
}
