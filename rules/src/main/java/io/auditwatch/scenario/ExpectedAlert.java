package io.auditwatch.scenario;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.auditwatch.alert.Alert;
import java.util.Objects;

/** One line of a scenario's {@code expected-alerts.jsonl}: which rule must fire on which request. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ExpectedAlert(String rule, String auditID, String username, String resource, String subresource,
                            String namespace, String name) {

    public boolean matches(Alert alert) {
        return alert.rule().id().equals(rule)
                && alert.evidence().stream().anyMatch(e -> Objects.equals(e.auditID(), auditID))
                && Objects.equals(alert.identity().username(), username);
    }

    public String describe() {
        return rule + " on request " + auditID + " by " + username;
    }
}
