package io.auditwatch.event;

import static io.auditwatch.testing.EventJson.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.identity.UserInfo;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuditEventTest {
    /** The stage time is parsed once, yet follows the field when it changes; never before the event time. */
    @Test
    void stageTimeFollowsItsFieldAndNeverPrecedesTheEventTime() {
        AuditEvent e = new AuditEvent();
        e.provenance = new Provenance("c", 1_000_000L, false);
        assertEquals(1_000_000L, e.stageTimeMillis(), "no stageTimestamp: the event time");
        e.stageTimestamp = "1970-01-01T00:20:00.5Z";
        assertEquals(1_200_500L, e.stageTimeMillis());
        assertEquals(1_200_500L, e.stageTimeMillis());
        e.stageTimestamp = "1970-01-01T00:30:00Z";
        assertEquals(1_800_000L, e.stageTimeMillis(), "a new value is parsed anew");
        e.stageTimestamp = "1970-01-01T00:00:01Z";
        assertEquals(1_000_000L, e.stageTimeMillis(), "before the event time: the event time");
        e.stageTimestamp = "not a time";
        assertEquals(1_000_000L, e.stageTimeMillis(), "unreadable: the event time");
        e.provenance = new Provenance("c", 2_000_000L, false);
        assertEquals(2_000_000L, e.stageTimeMillis(), "follows the event time too");
    }

    @Test
    void shouldBeAllowedWhenTheAuthorizerSaidAllow() {
        assertTrue(event().decision("allow").code(200).parse().allowed());
    }

    @Test
    void shouldTrustTheDecisionAnnotationOverTheResponseCode() {
        // Allowed by RBAC, then refused by an admission webhook: the authorizer still allowed it.
        assertTrue(event().decision("allow").code(403).parse().allowed());
        assertFalse(event().decision("forbid").code(200).parse().allowed());
    }

    @Test
    void shouldJudgeByTheResponseCodeWithoutDecisionAnnotation() {
        assertTrue(event().decision(null).code(200).parse().allowed());
        assertTrue(event().decision(null).code(404).parse().allowed());
        assertFalse(event().decision(null).code(403).parse().allowed());
        assertFalse(event().decision(null).code(401).parse().allowed());
    }

    @Test
    void shouldNotCallARequestAllowedWithoutDecisionOrResponse() {
        assertFalse(event().remove("annotations", "responseStatus").parse().allowed());
    }

    @Test
    void shouldAnswerNullForPartsAnEventDoesNotHave() {
        AuditEvent e = event().remove("objectRef", "user", "responseStatus", "annotations").parse();

        assertNull(e.resource());
        assertNull(e.subresource());
        assertNull(e.namespace());
        assertNull(e.objectName());
        assertNull(e.username());
        assertNull(e.responseCode());
        assertNull(e.annotation(AuditEvent.DECISION_ANNOTATION));
    }

    @Test
    void shouldGiveTheEventTimeAsAnInstant() {
        assertEquals(Instant.parse("2024-05-01T10:00:00.123Z"), event().parse().eventTime());
    }

    @Test
    void shouldGiveZeroEventTimeBeforeItWasRead() {
        AuditEvent unread = new AuditEvent();

        assertEquals(0, unread.eventTimeMillis());
        assertFalse(unread.timestampFallback());
        assertNull(unread.cluster());
    }

    @Test
    void shouldReadTheFirstValueOfAnExtraClaim() {
        UserInfo user = new UserInfo("u", null, List.of("g"),
                Map.of("a", List.of("1", "2"), "empty", List.of()));

        assertEquals("1", user.extraValue("a"));
        assertNull(user.extraValue("empty"));
        assertNull(user.extraValue("missing"));
        assertNull(new UserInfo("u", null, null, null).extraValue("a"));
        assertTrue(user.inGroup("g"));
        assertFalse(user.inGroup("h"));
        assertFalse(new UserInfo("u", null, null, null).inGroup("g"));
    }
}
