package io.auditwatch.identity;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/** The authenticated (or impersonated) user of a request, as the API server recorded it. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record UserInfo(String username, String uid, List<String> groups, Map<String, List<String>> extra) {

    /** First value of a {@code user.extra} claim, or null. */
    public String extraValue(String claim) {
        if (extra == null) {
            return null;
        }
        List<String> values = extra.get(claim);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    public boolean inGroup(String group) {
        return groups != null && groups.contains(group);
    }
}
