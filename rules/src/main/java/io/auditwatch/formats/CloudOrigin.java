package io.auditwatch.formats;

import java.util.List;

/**
 * Where a cloud export carried an event from: the export's name (e.g. {@code gke-cloud-logging}), the cluster
 * it names (null when it names none) and the Event fields the export cannot carry, so an analyst knows that an
 * absent field means "not exported", not "not set".
 */
public record CloudOrigin(String source, String cluster, List<String> missing) {
    public CloudOrigin {
        missing = List.copyOf(missing);
    }
}
