package io.auditwatch.dedup;

import io.auditwatch.engine.RequestKey;
import io.auditwatch.event.AuditEvent;
import io.auditwatch.state.ExpiringState;
import java.time.Duration;

/**
 * Drops exact repeats: the same request at the same stage seen again, as when the API server's webhook
 * backend retries a batch or a shipper re-sends a file. Different stages of one request pass; the engine
 * makes sure each rule matches a request once. This spares the analyses work only: what guarantees that a
 * re-sent request never alerts twice is each analysis' own per-request memory ({@code FiredMemory}), kept as long
 * as the request memory. So a repeat is remembered here for at most {@link #MAX_MEMORY}, counted from when it was
 * seen (the state's clock), not from its own time, so that a late request's retries are dropped too.
 */
public final class RequestDedup {
    /** Retries of the webhook backend and re-sent files come within minutes; a record per event costs disk. */
    public static final Duration MAX_MEMORY = Duration.ofHours(1);

    private final long memoryMillis;

    public RequestDedup(Duration requestMemory) {
        this.memoryMillis = Math.min(requestMemory.toMillis(), MAX_MEMORY.toMillis());
    }

    /** True the first time this request is seen at this stage; remembers it. */
    public boolean admit(AuditEvent event, ExpiringState state) {
        return state.putIfAbsent(RequestKey.of(event) + "|" + event.stage, "",
                Math.max(event.stageTimeMillis(), state.now()) + memoryMillis);
    }
}
