package io.auditwatch.language;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Sigma's wildcard values: {@code *} any run, {@code ?} one character, {@code \} escapes either (and itself).
 * Compiled to the cheapest test that fits: equality, prefix, suffix or substring, else a regex.
 */
public final class Glob {
    private Glob() {
    }

    static String escape(String literal) {
        return literal.replace("\\", "\\\\").replace("*", "\\*").replace("?", "\\?");
    }

    public static Predicate<String> compile(String glob, boolean cased) {
        StringBuilder regex = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        boolean leadingStar = false;
        boolean trailingStar = false;
        boolean innerWildcard = false;
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '\\' && i + 1 < glob.length() && "*?\\".indexOf(glob.charAt(i + 1)) >= 0) {
                char next = glob.charAt(++i);
                literal.append(next);
                regex.append(Pattern.quote(String.valueOf(next)));
            } else if (c == '*') {
                regex.append(".*");
                if (i == 0) {
                    leadingStar = true;
                } else if (i == glob.length() - 1) {
                    trailingStar = true;
                } else {
                    innerWildcard = true;
                }
            } else if (c == '?') {
                regex.append('.');
                innerWildcard = true;
            } else {
                literal.append(c);
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        if (innerWildcard) {
            Pattern pattern = Pattern.compile(regex.toString(),
                    Pattern.DOTALL | (cased ? 0 : Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE));
            return v -> pattern.matcher(v).matches();
        }
        String needle = cased ? literal.toString() : literal.toString().toLowerCase(Locale.ROOT);
        int n = needle.length();
        if (leadingStar && trailingStar) {
            return cased ? v -> v.contains(needle) : new LowerCaseContains(List.of(needle));
        }
        // Without case, the exact comparison goes first: most values that match are already in the needle's case
        // (a derived "true", a verb, a kube-system service account's name), and it settles those at a fraction of
        // the cost of comparing letter by letter without case.
        if (leadingStar) {
            return cased ? v -> v.endsWith(needle)
                    : v -> v.endsWith(needle) || v.length() >= n && v.regionMatches(true, v.length() - n, needle, 0, n);
        }
        if (trailingStar) {
            return cased ? v -> v.startsWith(needle) : v -> v.startsWith(needle) || v.regionMatches(true, 0, needle, 0, n);
        }
        return cased ? needle::equals : v -> v.equals(needle) || v.equalsIgnoreCase(needle);
    }

    /**
     * A case-insensitive substring test of any of {@code needles} (lower case): the value lower-cased once for all
     * of them, as {@link #anyOf} merges them.
     */
    record LowerCaseContains(List<String> needles) implements Predicate<String> {
        @Override
        public boolean test(String v) {
            String lower = v.toLowerCase(Locale.ROOT);
            for (String needle : needles) {
                if (lower.contains(needle)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** True if any of {@code tests} holds; case-insensitive substring tests share one lower-cased copy of the value. */
    static Predicate<String> anyOf(List<Predicate<String>> tests) {
        List<String> needles = new ArrayList<>();
        List<Predicate<String>> merged = new ArrayList<>();
        for (Predicate<String> test : tests) {
            if (test instanceof LowerCaseContains contains) {
                needles.addAll(contains.needles());
            } else {
                merged.add(test);
            }
        }
        if (!needles.isEmpty()) {
            merged.add(new LowerCaseContains(List.copyOf(needles)));
        }
        if (merged.size() == 1) {
            return merged.get(0);
        }
        @SuppressWarnings("unchecked")
        Predicate<String>[] any = merged.toArray(Predicate[]::new);
        return v -> {
            for (Predicate<String> test : any) {
                if (test.test(v)) {
                    return true;
                }
            }
            return false;
        };
    }
}
