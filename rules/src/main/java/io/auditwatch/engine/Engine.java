package io.auditwatch.engine;

import io.auditwatch.alert.Alert;
import io.auditwatch.event.AuditEvent;
import io.auditwatch.objects.Workload;
import io.auditwatch.objects.WrittenObjects;
import io.auditwatch.state.ExpiringState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Evaluates detections on one event and builds alerts. A rule matches a request at most once, whatever the
 * number of stages it was logged at: port-forward and exec are visible at ResponseStarted and again at
 * ResponseComplete, and alerting on both is the noise Falco users complain of. The memory of which rules
 * already matched which request lives in the host's state, so live and replay behave the same.
 */
public final class Engine implements Analysis {
    private final List<Detection> detections;
    private final RuleIndex<Detection> index;
    private final List<Correlation> correlations;
    /** The correlations' base detections, each once. */
    private final RuleIndex<Detection> bases;
    private final FiredMemory fired;
    private final WorkloadMemory workloads = new WorkloadMemory();

    public Engine(List<Detection> detections, Duration requestMemory) {
        this(detections, List.of(), requestMemory);
    }

    public Engine(List<Detection> detections, List<Correlation> correlations, Duration requestMemory) {
        this.detections = List.copyOf(detections);
        this.correlations = List.copyOf(correlations);
        this.fired = new FiredMemory(requestMemory);
        this.index = new RuleIndex<>(this.detections, Detection::resources, Detection::verbs);
        Set<Detection> distinct = Collections.newSetFromMap(new IdentityHashMap<>());
        this.correlations.forEach(c -> distinct.addAll(c.bases()));
        this.bases = new RuleIndex<>(List.copyOf(distinct), Detection::resources, Detection::verbs);
    }

    public List<Detection> detections() {
        return detections;
    }

    public List<Correlation> correlations() {
        return correlations;
    }

    @Override
    public List<Alert> process(AuditEvent event, ExpiringState state) {
        List<Alert> alerts = null;
        String requestKey = null;
        for (Detection detection : index.candidates(event.resource(), event.verb)) {
            if (!detection.matches(event)) {
                continue;
            }
            if (requestKey == null) {
                requestKey = RequestKey.of(event);
            }
            if (!fired.firstTime(state, detection.rule().id(), event, requestKey)) {
                continue;
            }
            Workload workload = detection.perWorkload() ? WrittenObjects.workload(event) : null;
            if (workload != null && !workloads.firstTime(state, detection.rule().id(), event, workload)) {
                continue;
            }
            if (alerts == null) {
                alerts = new ArrayList<>(1);
            }
            String id = RequestKey.digest(detection.rule().id() + "|" + requestKey, 32);
            alerts.add(workload == null
                    ? Alerts.single(detection.rule(), event, id, detection.summary(event), detection.explanation(event))
                    : Alerts.forWorkload(detection.rule(), event, workload, id, detection.summary(event),
                            detection.explanation(event)));
        }
        if (correlations.isEmpty()) {
            return alerts == null ? List.of() : alerts;
        }
        Set<String> raisedIds = new HashSet<>();
        if (alerts != null) {
            alerts.forEach(a -> raisedIds.add(a.rule().id()));
        }
        // A base rule of several correlations (every refused request, every service-account request) is matched once.
        Set<Detection> matched = Set.of();
        for (Detection base : bases.candidates(event.resource(), event.verb)) {
            if (base.matches(event)) {
                if (matched.isEmpty()) {
                    matched = Collections.newSetFromMap(new IdentityHashMap<>(4));
                }
                matched.add(base);
            }
        }
        Digests digests = new Digests(event, requestKey);
        CountedRequests counted = new CountedRequests(state, digests);
        for (Correlation correlation : correlations) {
            List<Alert> raised = correlation.observe(event, digests, counted, state, raisedIds, matched);
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
