package io.auditwatch.event;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/** The object a request addressed. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ObjectRef(String resource, String namespace, String name, String uid, String apiGroup,
                        String apiVersion, String resourceVersion, String subresource) {
}
