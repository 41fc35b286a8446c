package io.auditwatch.engine;

import io.auditwatch.alert.Alert;
import io.auditwatch.event.AuditEvent;
import io.auditwatch.state.ExpiringState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Evaluates detections on one event and builds alerts. A rule matches a request at most once, whatever the
 * number of stages it was logged at: port-forward and exec are visible at ResponseStarted and again at
 * ResponseComplete, and alerting on both is the noise Falco users complain of. The memory of which rules
 * already matched which request lives in the host's state, so live and replay behave the same.
 */
public final class Engine {
    private static final String FIRED = "fired|";
    /**
     * A rule that fired before the request completed (exec, attach and port-forward fire at ResponseStarted)
     * is remembered this long, so that a session's ResponseComplete hours later does not alert again. Only
     * requests that fired are remembered, so this state stays small.
     */
    private static final long OPEN_REQUEST_MEMORY_MILLIS = Duration.ofHours(24).toMillis();

    private final List<Detection> detections;
    /** Per resource (lower case): the detections that can match it, in the order given. */
    private final Map<String, List<Detection>> byResource = new HashMap<>();
    /** The detections that can match any event, for resources no detection names. */
    private final List<Detection> unindexed = new ArrayList<>();
    private final List<Correlation> correlations;
    private final long requestMemoryMillis;

    public Engine(List<Detection> detections, Duration requestMemory) {
        this(detections, List.of(), requestMemory);
    }

    public Engine(List<Detection> detections, List<Correlation> correlations, Duration requestMemory) {
        this.detections = List.copyOf(detections);
        this.correlations = List.copyOf(correlations);
        this.requestMemoryMillis = requestMemory.toMillis();
        for (Detection detection : this.detections) {
            if (detection.resources() == null) {
                unindexed.add(detection);
            } else {
                detection.resources().forEach(r -> byResource.putIfAbsent(r, new ArrayList<>()));
            }
        }
        byResource.forEach((resource, list) -> {
            for (Detection detection : this.detections) {
                if (detection.resources() == null || detection.resources().contains(resource)) {
                    list.add(detection);
                }
            }
        });
    }

    private List<Detection> candidates(AuditEvent event) {
        String resource = event.resource();
        if (resource == null) {
            return unindexed;
        }
        List<Detection> indexed = byResource.get(resource.toLowerCase(Locale.ROOT));
        return indexed == null ? unindexed : indexed;
    }

    public List<Detection> detections() {
        return detections;
    }

    public List<Correlation> correlations() {
        return correlations;
    }

    public List<Alert> evaluate(AuditEvent event, ExpiringState state) {
        List<Alert> alerts = null;
        String requestKey = null;
        for (Detection detection : candidates(event)) {
            if (!detection.matches(event)) {
                continue;
            }
            if (requestKey == null) {
                requestKey = RequestKey.of(event);
            }
            String firedKey = FIRED + detection.rule().id() + "|" + requestKey;
            if (state.get(firedKey) != null) {
                continue;
            }
            boolean complete = "ResponseComplete".equals(event.stage) || "Panic".equals(event.stage);
            state.put(firedKey, "", event.stageTimeMillis()
                    + (complete ? requestMemoryMillis : Math.max(requestMemoryMillis, OPEN_REQUEST_MEMORY_MILLIS)));
            if (alerts == null) {
                alerts = new ArrayList<>(1);
            }
            alerts.add(Alerts.single(detection.rule(), event, RequestKey.digest(detection.rule().id() + "|" + requestKey, 32),
                    detection.summary(event), detection.explanation(event)));
        }
        for (Correlation correlation : correlations) {
            if (requestKey == null) {
                requestKey = RequestKey.of(event);
            }
            List<Alert> raised = correlation.observe(event, requestKey, state);
            if (!raised.isEmpty()) {
                if (alerts == null) {
                    alerts = new ArrayList<>(raised.size());
                }
                alerts.addAll(raised);
            }
        }
        return alerts == null ? List.of() : alerts;
    }
}
