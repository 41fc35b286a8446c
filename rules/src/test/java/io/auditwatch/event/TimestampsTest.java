package io.auditwatch.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TimestampsTest {
    /** The shapes API servers and cloud exports write: each must take the fast path and agree with java.time. */
    @Test
    void commonShapesAreReadByHandWithJavaTimesResult() {
        for (String text : List.of("2006-01-02T15:04:05.000000Z", "2006-01-02T15:04:05Z", "2006-01-02T15:04:05.1Z",
                "2006-01-02T15:04:05.12Z", "2006-01-02T15:04:05.123Z", "2006-01-02T15:04:05.999999999Z",
                "2006-01-02T15:04:05.123456789+02:00", "2006-01-02T15:04:05-07:30", "2006-01-02T00:30:00+01:00",
                "2024-02-29T23:59:59.999Z", "1969-12-31T23:59:59.999Z", "1900-03-01T00:00:00Z",
                "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z", "2000-02-29T12:00:00Z",
                "2006-01-02T15:04:05-00:00", "2006-01-02T15:04:05+17:59")) {
            long fast = Timestamps.fast(text);
            assertNotEquals(Timestamps.NOT_FAST, fast, text + " should take the fast path");
            assertEquals(Timestamps.viaJavaTime(text), fast, text);
            assertEquals(fast, Timestamps.toEpochMillis(text), text);
        }
        assertEquals(1136214245123L, Timestamps.toEpochMillis("2006-01-02T15:04:05.123456Z"));
        assertEquals(1136214245123L - 3_600_000, Timestamps.toEpochMillis("2006-01-02T15:04:05.123456+01:00"));
    }

    /** Shapes the fast path leaves to java.time (which reads some of them): the result is java.time's. */
    @Test
    void unusualShapesGetJavaTimesResult() {
        for (String text : List.of("2006-01-02t15:04:05z", "2006-01-02T15:04:05.123456+01:00:30",
                "2016-12-31T23:59:60Z", "2024-01-01T24:00:00Z", "2024-01-01T10:00:00.Z", "2006-01-02T15:04Z", "+12006-01-02T15:04:05Z")) {
            assertEquals(Timestamps.fast(text), Timestamps.NOT_FAST, text);
            assertEquals(outcome(Timestamps::viaJavaTime, text), outcome(Timestamps::toEpochMillis, text), text);
        }
    }

    @Test
    void logLakeTimesWithASpaceAndNoZoneAreReadAsUtc() {
        assertEquals(Instant.parse("2024-11-13T18:34:10.595Z").toEpochMilli(),
                Timestamps.toEpochMillis("2024-11-13 18:34:10.595141000"));
        assertEquals(Instant.parse("2022-11-29T00:09:04.380Z").toEpochMilli(), Timestamps.toEpochMillis("2022-11-29 00:09:04.38"));
    }

    /** Invalid input is rejected exactly as java.time rejects it, whichever path saw it first. */
    @Test
    void invalidTimestampsAreRejectedAsBefore() {
        for (String text : List.of("2023-02-29T10:00:00Z", "2024-02-30T10:00:00Z", "2024-04-31T10:00:00Z",
                "2024-13-01T10:00:00Z", "2024-00-10T10:00:00Z", "2024-01-00T10:00:00Z",
                "2024-01-01T23:60:00Z", "2024-01-01T10:00:00",
                "2024-01-01T10:00:00.1234567890Z", "2024-01-01T10:00:00+19:00", "2024-01-01T10:00:00+01:60",
                "2024-01-01T10:00:00ZZ", "2024-01-01 10:00:00Z", "yesterday", "", "2024-1-01T10:00:00Z",
                "2024-01-01T10:00:00.12a4Z", "٢٠٢٤-01-01T10:00:00Z")) {
            assertEquals(Timestamps.NOT_FAST, Timestamps.fast(text), text);
            assertThrows(DateTimeParseException.class, () -> Timestamps.viaJavaTime(text), text);
            assertThrows(DateTimeParseException.class, () -> Timestamps.toEpochMillis(text), text);
        }
    }

    /** Random well-formed and slightly broken timestamps: both paths agree on every one. */
    @Test
    void fastPathAgreesWithJavaTimeOnRandomInput() {
        Random random = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            StringBuilder text = new StringBuilder(String.format("%04d-%02d-%02dT%02d:%02d:%02d", random.nextInt(10_000),
                    random.nextInt(14), random.nextInt(33), random.nextInt(26), random.nextInt(62), random.nextInt(62)));
            int fraction = random.nextInt(11) - 1;
            if (fraction >= 0) {
                text.append('.');
                for (int d = 0; d < fraction; d++) {
                    text.append(random.nextInt(10));
                }
            }
            switch (random.nextInt(4)) {
                case 0 -> text.append('Z');
                case 1 -> text.append(String.format("+%02d:%02d", random.nextInt(20), random.nextInt(61)));
                case 2 -> text.append(String.format("-%02d:%02d", random.nextInt(20), random.nextInt(61)));
                default -> { }
            }
            String s = text.toString();
            assertEquals(outcome(Timestamps::viaJavaTime, s), outcome(Timestamps::toEpochMillis, s), s);
        }
    }

    private static String outcome(java.util.function.ToLongFunction<String> parse, String text) {
        try {
            return Long.toString(parse.applyAsLong(text));
        } catch (DateTimeParseException e) {
            return "rejected";
        }
    }
}
