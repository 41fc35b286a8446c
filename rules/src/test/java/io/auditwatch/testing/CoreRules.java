package io.auditwatch.testing;

import io.auditwatch.engine.Detection;
import io.auditwatch.language.RuleSet;
import java.util.List;
import java.util.Set;

/** The four rules of the default pack's core.yml, for tests about the engine and these rules alone. */
public final class CoreRules {
    public static final Set<String> IDS = Set.of("pod-exec", "pod-portforward", "secret-read", "anonymous-allowed");

    private CoreRules() {
    }

    public static List<Detection> detections() {
        return RuleSet.defaults().detections().stream().filter(d -> IDS.contains(d.rule().id())).toList();
    }
}
