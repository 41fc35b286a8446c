package io.auditwatch.event;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * What auditwatch itself knows about an event, carried under the {@code auditwatch} key so it survives
 * repartitioning: the cluster it came from, its event time (epoch millis), whether that time is a fallback
 * to its arrival because the event carried no timestamp or one too far ahead of the clock to trust (its own
 * timestamps stay in the event, as evidence), and, for events a cloud export carried, which
 * export ({@code source}) and the Event fields it could not carry ({@code missing}: absent there means
 * "not exported", not "not set").
 */
@JsonInclude(JsonInclude.Include.NON_DEFAULT)
public record Provenance(String cluster, long eventTime, boolean timestampFallback, String source,
                         List<String> missing) {
    /**
     * Record header with which ingest stamps the cluster an event came from; the detector reads it. A header
     * (not a field added to the event) keeps the raw event as the API server wrote it.
     */
    public static final String CLUSTER_HEADER = "auditwatch.cluster";

    public Provenance(String cluster, long eventTime, boolean timestampFallback) {
        this(cluster, eventTime, timestampFallback, null, null);
    }
}
