package io.auditwatch.engine;

import io.auditwatch.event.AuditEvent;
import io.auditwatch.objects.Workload;
import io.auditwatch.state.ExpiringState;
import java.time.Duration;

/**
 * Remembers which workload template a rule already alerted on for an identity, so a ReplicaSet's ten replicas,
 * a CronJob's every run and a GitOps controller's re-apply of an unchanged template alert once. Kept per identity
 * (the key a host partitions by), so live and replay fold the same; the workload's own create by a person and its
 * pods created by a controller are different identities and alert separately, with one dedup key.
 */
public final class WorkloadMemory {
    public static final String KEY = "workload|";
    /** How long a judged template stays judged: a day of replicas, restarts and scheduled runs. */
    static final Duration MEMORY = Duration.ofHours(24);

    /** True, and remembered, the first time {@code ruleId} fires on this revision of the workload by this identity. */
    boolean firstTime(ExpiringState state, String ruleId, AuditEvent event, Workload workload) {
        if (workload.revision() == null) {
            return true;
        }
        String key = KEY + RequestKey.digest(String.join("|", ruleId, String.valueOf(event.cluster()),
                String.valueOf(event.username()), workload.key(), workload.revision()), 32);
        return state.putIfAbsent(key, "", event.stageTimeMillis() + MEMORY.toMillis());
    }
}
