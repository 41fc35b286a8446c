package io.auditwatch.event;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * Audit timestamps to epoch millis. API servers write {@code 2006-01-02T15:04:05.000000Z}; parsing that with
 * {@link Instant#parse} was half of replay's parsing time, so the RFC 3339 shapes (UTC or a {@code ±HH:MM}
 * offset, no or 1–9 fraction digits) are read by hand. Anything else, and anything out of the ordinary ranges
 * (leap seconds, {@code 24:00}, days past the month's end), goes to java.time: same results, same errors.
 * A space for the 'T' and no zone, as log lakes write UTC, is read as UTC.
 */
final class Timestamps {
    private Timestamps() {
    }

    /** Epoch millis of an ISO-8601 instant or offset date-time; throws {@link DateTimeParseException} as java.time does. */
    static long toEpochMillis(String text) {
        long fast = fast(text);
        return fast != NOT_FAST ? fast : viaJavaTime(text);
    }

    /** What {@link #toEpochMillis} does for every input the fast path declines. */
    static long viaJavaTime(String text) {
        try {
            return Instant.parse(text).toEpochMilli();
        } catch (DateTimeParseException e) {
            if (text.length() > 19 && text.charAt(10) == ' ') {
                return logLakeTime(text, e);
            }
            return OffsetDateTime.parse(text).toInstant().toEpochMilli();
        }
    }

    /**
     * Log lakes that normalise events (Panther's EKS tables among them) write {@code 2024-11-13 18:34:10.595141000}:
     * a space for the 'T' and UTC without a zone.
     */
    private static long logLakeTime(String text, DateTimeParseException original) {
        try {
            return Instant.parse(text.substring(0, 10) + 'T' + text.substring(11) + 'Z').toEpochMilli();
        } catch (DateTimeParseException e) {
            throw original;
        }
    }

    /** Returned by {@link #fast} for input it leaves to java.time; no RFC 3339 timestamp maps to it. */
    static final long NOT_FAST = Long.MIN_VALUE;

    static long fast(String s) {
        int n = s.length();
        // yyyy-MM-ddTHH:mm:ss then the zone at least
        if (n < 20 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T' || s.charAt(13) != ':'
                || s.charAt(16) != ':') {
            return NOT_FAST;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        int second = digits(s, 17, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
            return NOT_FAST;
        }
        int i = 19;
        int millis = 0;
        if (s.charAt(i) == '.') {
            int start = ++i;
            while (i < n && i - start < 9 && isDigit(s.charAt(i))) {
                if (i - start < 3) {
                    millis = millis * 10 + (s.charAt(i) - '0');
                }
                i++;
            }
            int count = i - start;
            if (count == 0 || i < n && isDigit(s.charAt(i))) {
                return NOT_FAST;
            }
            for (int k = count; k < 3; k++) {
                millis *= 10;
            }
        }
        int offsetSeconds;
        if (i == n - 1 && s.charAt(i) == 'Z') {
            offsetSeconds = 0;
        } else if (i == n - 6 && (s.charAt(i) == '+' || s.charAt(i) == '-') && s.charAt(i + 3) == ':') {
            int oh = digits(s, i + 1, 2);
            int om = digits(s, i + 4, 2);
            if (oh < 0 || oh > 17 || om < 0 || om > 59) {
                return NOT_FAST;
            }
            offsetSeconds = (s.charAt(i) == '-' ? -1 : 1) * (oh * 3600 + om * 60);
        } else {
            return NOT_FAST;
        }
        long epochDay;
        try {
            epochDay = LocalDate.of(year, month, day).toEpochDay();
        } catch (DateTimeException e) { // February 30th and the like: java.time says how it is wrong
            return NOT_FAST;
        }
        long epochSecond = epochDay * 86_400 + hour * 3600L + minute * 60L + second - offsetSeconds;
        return epochSecond * 1000 + millis;
    }

    /** The non-negative number in {@code count} ASCII digits at {@code from}, or -1. */
    private static int digits(String s, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (!isDigit(c)) {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
