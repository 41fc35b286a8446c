package io.auditwatch.engine;

import io.auditwatch.alert.Alert;
import io.auditwatch.event.AuditEvent;
import io.auditwatch.state.ExpiringState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Evaluates detections on one event and builds alerts. A rule matches a request at most once, whatever the
 * number of stages it was logged at: port-forward and exec are visible at ResponseStarted and again at
 * ResponseComplete, and alerting on both is the noise Falco users complain of. The memory of which rules
 * already matched which request lives in the host's state, so live and replay behave the same.
 */
public final class Engine implements Analysis {
    private final List<Detection> detections;
    /** Per resource (lower case): the detections that can match it, in the order given. */
    private final Map<String, List<Detection>> byResource = new HashMap<>();
    /** The detections that can match any event, for resources no detection names. */
    private final List<Detection> unindexed = new ArrayList<>();
    private final List<Correlation> correlations;
    private final FiredMemory fired;

    public Engine(List<Detection> detections, Duration requestMemory) {
        this(detections, List.of(), requestMemory);
    }

    public Engine(List<Detection> detections, List<Correlation> correlations, Duration requestMemory) {
        this.detections = List.copyOf(detections);
        this.correlations = List.copyOf(correlations);
        this.fired = new FiredMemory(requestMemory);
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

    public List<Detection> detections() {
        return detections;
    }

    public List<Correlation> correlations() {
        return correlations;
    }

    private List<Detection> candidates(AuditEvent event) {
        String resource = event.resource();
        if (resource == null) {
            return unindexed;
        }
        List<Detection> indexed = byResource.get(resource.toLowerCase(Locale.ROOT));
        return indexed == null ? unindexed : indexed;
    }

    @Override
    public List<Alert> process(AuditEvent event, ExpiringState state) {
        List<Alert> alerts = null;
        String requestKey = null;
        for (Detection detection : candidates(event)) {
            if (!detection.matches(event)) {
                continue;
            }
            if (requestKey == null) {
                requestKey = RequestKey.of(event);
            }
            if (!fired.firstTime(state, detection.rule().id(), event, requestKey)) {
                continue;
            }
            if (alerts == null) {
                alerts = new ArrayList<>(1);
            }
            alerts.add(Alerts.single(detection.rule(), event, RequestKey.digest(detection.rule().id() + "|" + requestKey, 32),
                    detection.summary(event), detection.explanation(event)));
        }
        if (correlations.isEmpty()) {
            return alerts == null ? List.of() : alerts;
        }
        Set<String> raisedIds = new HashSet<>();
        if (alerts != null) {
            alerts.forEach(a -> raisedIds.add(a.rule().id()));
        }
        if (requestKey == null) {
            requestKey = RequestKey.of(event);
        }
        Digests digests = new Digests();
        CountedRequests counted = new CountedRequests(state, digests, requestKey);
        for (Correlation correlation : correlations) {
            List<Alert> raised = correlation.observe(event, requestKey, digests, counted, state, raisedIds);
            if (raised.isEmpty()) {
                continue;
            }
            raisedIds.add(correlation.rule().id());
            if (!correlation.silent()) {
                if (alerts == null) {
                    alerts = new ArrayList<>(raised.size());
                }
                alerts.addAll(raised);
            }
        }
        counted.save();
        return alerts == null ? List.of() : alerts;
    }
}
