package io.auditwatch.dedup;

import io.auditwatch.engine.RequestKey;
import io.auditwatch.event.AuditEvent;
import io.auditwatch.state.ExpiringState;
import java.time.Duration;

/**
 * Drops exact repeats: the same request at the same stage seen again, as when the API server's webhook
 * backend retries a batch or a shipper re-sends a file. Different stages of one request pass; the engine
 * makes sure each rule matches a request once.
 */
public final class RequestDedup {
    private final long memoryMillis;

    public RequestDedup(Duration memory) {
        this.memoryMillis = memory.toMillis();
    }

    /** True the first time this request is seen at this stage; remembers it. */
    public boolean admit(AuditEvent event, ExpiringState state) {
        return state.putIfAbsent(RequestKey.of(event) + "|" + event.stage, "", event.stageTimeMillis() + memoryMillis);
    }
}
