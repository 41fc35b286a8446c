package io.auditwatch.language;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sigma's condition grammar over named selections: {@code and}, {@code or}, {@code not}, parentheses,
 * {@code 1 of sel*}, {@code all of sel*}, {@code 1 of them}, {@code all of them}. Precedence: not, and, or.
 * Names not among the rule's selections are looked up among the macros.
 */
final class Condition {
    private static final Pattern TOKEN = Pattern.compile("\\(|\\)|[^\\s()]+");

    private final List<String> tokens = new ArrayList<>();
    private final Map<String, Match> selections;
    private final Map<String, Match> macros;
    private int at;

    private Condition(String text, Map<String, Match> selections, Map<String, Match> macros) {
        Matcher m = TOKEN.matcher(text);
        while (m.find()) {
            tokens.add(m.group());
        }
        this.selections = selections;
        this.macros = macros;
    }

    /** Compiles {@code text}; throws IllegalArgumentException naming the problem. */
    static Match compile(String text, Map<String, Match> selections, Map<String, Match> macros) {
        if (text.contains("|")) {
            throw new IllegalArgumentException("aggregations in conditions ('|') are not supported; write a"
                    + " correlation rule instead");
        }
        Condition parser = new Condition(text, selections, macros);
        if (parser.tokens.isEmpty()) {
            throw new IllegalArgumentException("empty condition");
        }
        Match match = parser.or();
        if (parser.at < parser.tokens.size()) {
            throw new IllegalArgumentException("unexpected '" + parser.tokens.get(parser.at) + "' in condition");
        }
        return match;
    }

    private Match or() {
        List<Match> parts = new ArrayList<>();
        parts.add(and());
        while (accept("or")) {
            parts.add(and());
        }
        return Match.or(parts);
    }

    private Match and() {
        List<Match> parts = new ArrayList<>();
        parts.add(not());
        while (accept("and")) {
            parts.add(not());
        }
        return Match.and(parts);
    }

    private Match not() {
        if (accept("not")) {
            return Match.not(not());
        }
        return primary();
    }

    private Match primary() {
        String token = next();
        if (token.equals("(")) {
            Match inner = or();
            if (!accept(")")) {
                throw new IllegalArgumentException("missing ')' in condition");
            }
            return inner;
        }
        if ((token.equals("1") || token.equalsIgnoreCase("all") || token.equalsIgnoreCase("any"))
                && at < tokens.size() && tokens.get(at).equalsIgnoreCase("of")) {
            at++;
            String pattern = next();
            List<Match> matched = new ArrayList<>();
            Pattern names = pattern.equals("them") ? null : Pattern.compile(
                    Pattern.quote(pattern).replace("*", "\\E.*\\Q"));
            selections.forEach((name, match) -> {
                if (names == null ? !name.startsWith("_") : names.matcher(name).matches()) {
                    matched.add(match);
                }
            });
            if (matched.isEmpty()) {
                throw new IllegalArgumentException("'" + token + " of " + pattern + "' matches no selection");
            }
            return token.equalsIgnoreCase("all") ? Match.and(matched) : Match.or(matched);
        }
        if (List.of("and", "or", ")", "of").contains(token.toLowerCase(java.util.Locale.ROOT))) {
            throw new IllegalArgumentException("unexpected '" + token + "' in condition");
        }
        Match named = selections.get(token);
        if (named == null) {
            named = macros.get(token);
        }
        if (named == null) {
            throw new IllegalArgumentException("unknown selection or macro '" + token + "' (selections: "
                    + String.join(", ", selections.keySet()) + ")");
        }
        return named;
    }

    private boolean accept(String word) {
        if (at < tokens.size() && tokens.get(at).equalsIgnoreCase(word)) {
            at++;
            return true;
        }
        return false;
    }

    private String next() {
        if (at >= tokens.size()) {
            throw new IllegalArgumentException("condition ends too early");
        }
        return tokens.get(at++);
    }
}
