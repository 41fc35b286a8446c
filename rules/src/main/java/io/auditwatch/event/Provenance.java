package io.auditwatch.event;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What auditwatch itself knows about an event, carried under the {@code auditwatch} key so it survives
 * repartitioning: the cluster it came from, its event time (epoch millis) and whether that time is a fallback
 * to ingestion time because the event carried no timestamp.
 */
@JsonInclude(JsonInclude.Include.NON_DEFAULT)
public record Provenance(String cluster, long eventTime, boolean timestampFallback) {
}
