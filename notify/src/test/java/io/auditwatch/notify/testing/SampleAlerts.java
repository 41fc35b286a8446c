package io.auditwatch.notify.testing;

import io.auditwatch.alert.Alert;
import io.auditwatch.alert.Level;
import java.util.List;

/** Alerts shaped like the detector's, with the parts a test varies. */
public final class SampleAlerts {
    private SampleAlerts() {
    }

    public static Alert alert(String id, Level level, String user, String dedupKey) {
        return new Alert(id,
                new Alert.RuleRef("pod-exec", "Exec into a pod", level, List.of("attack.t1609"), null),
                "prod-eu", new Alert.AlertIdentity(user, "user", null, null, null, null),
                new Alert.Target("pods", "shop", "web-7d9f8b6c5-x2x4k", "exec", null),
                user + " opened a shell in shop/web-7d9f8b6c5-x2x4k",
                "A person ran a command inside a running container; check that it was planned maintenance.",
                List.of(new Alert.Evidence("audit-" + id, "ResponseStarted", "create",
                        "/api/v1/namespaces/shop/pods/web-7d9f8b6c5-x2x4k/exec?command=sh", 101, "allow",
                        List.of("10.0.0.7"), "kubectl/v1.30.0", "2026-11-25T10:00:00.000000Z")),
                "2026-11-25T10:00:00Z", "2026-11-25T10:00:00Z", 1, dedupKey);
    }

    public static Alert alert(String id, Level level) {
        return alert(id, level, "alice@example.com", "pod-exec:" + id);
    }

    public static Alert inNamespace(Alert a, String namespace, String cluster, String ruleId) {
        return new Alert(a.id(), new Alert.RuleRef(ruleId, a.rule().title(), a.rule().level(), a.rule().tags(), null),
                cluster, a.identity(), new Alert.Target("pods", namespace, "x", null, null), a.summary(),
                a.explanation(), a.evidence(), a.firstSeen(), a.lastSeen(), a.count(), a.dedupKey());
    }
}
