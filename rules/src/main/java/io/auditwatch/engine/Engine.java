package io.auditwatch.engine;

import io.auditwatch.alert.Alert;
import io.auditwatch.event.AuditEvent;
import io.auditwatch.state.ExpiringState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Evaluates detections on one event and builds alerts. A rule matches a request at most once, whatever the
 * number of stages it was logged at: port-forward and exec are visible at ResponseStarted and again at
 * ResponseComplete, and alerting on both is the noise Falco users complain of. The memory of which rules
 * already matched which request lives in the host's state, so live and replay behave the same.
 */
public final class Engine implements Analysis {
    private final List<Detection> detections;
    private final FiredMemory fired;

    public Engine(List<Detection> detections, Duration requestMemory) {
        this.detections = List.copyOf(detections);
        this.fired = new FiredMemory(requestMemory);
    }

    public List<Detection> detections() {
        return detections;
    }

    @Override
    public List<Alert> process(AuditEvent event, ExpiringState state) {
        List<Alert> alerts = null;
        String requestKey = null;
        for (Detection detection : detections) {
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
        return alerts == null ? List.of() : alerts;
    }
}
