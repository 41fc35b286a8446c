package io.auditwatch.language;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditwatch.event.AuditEvent;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.IntPredicate;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One {@code field|modifier|...: value(s)} line of a selection, compiled: Sigma's value modifiers, wildcards
 * ({@code *}, {@code ?}, {@code \} escapes), lists as OR (AND with {@code all}), {@code null} for a missing
 * field. Plain comparisons are case-insensitive as in Sigma ({@code cased} makes them exact); {@code re} is
 * case-sensitive and unanchored. {@code list} (ours) takes the name of a named list as its value; {@code every}
 * (ours) asks that every value the field holds match (Falco's {@code in} on a list field): "every image is trusted".
 */
final class FieldClause {
    private static final Set<String> MODIFIERS = Set.of("contains", "startswith", "endswith", "re", "all", "cidr",
            "exists", "gt", "gte", "lt", "lte", "base64", "base64offset", "cased", "list", "every", "i", "m", "s");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private FieldClause() {
    }

    static Match compile(String key, JsonNode value, Map<String, List<String>> lists) {
        String[] parts = key.split("\\|", -1);
        String path = parts[0];
        Set<String> modifiers = new LinkedHashSet<>();
        for (int i = 1; i < parts.length; i++) {
            if (!MODIFIERS.contains(parts[i])) {
                throw new IllegalArgumentException("unknown modifier '" + parts[i] + "' (known: "
                        + String.join(", ", new java.util.TreeSet<>(MODIFIERS)) + ")");
            }
            modifiers.add(parts[i]);
        }
        EventField field = EventField.of(path);

        if (modifiers.contains("exists")) {
            if (!value.isBoolean()) {
                throw new IllegalArgumentException("'exists' takes true or false");
            }
            boolean wanted = value.booleanValue();
            return event -> field.exists(event) == wanted;
        }

        List<JsonNode> values = new ArrayList<>();
        if (modifiers.contains("list")) {
            for (JsonNode name : value.isArray() ? value : List.of(value)) {
                List<String> items = lists.get(name.asText());
                if (items == null) {
                    throw new IllegalArgumentException("unknown list '" + name.asText() + "'");
                }
                items.forEach(item -> values.add(com.fasterxml.jackson.databind.node.TextNode.valueOf(item)));
            }
        } else if (value.isArray()) {
            value.forEach(values::add);
        } else {
            values.add(value);
        }
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no values to compare with");
        }
        if (value.isObject()) {
            throw new IllegalArgumentException("a value must be a scalar or a list of scalars");
        }

        List<Match> each = new ArrayList<>();
        List<Predicate<String>> tests = new ArrayList<>();
        for (JsonNode v : values) {
            if (v.isContainerNode()) {
                throw new IllegalArgumentException("a value must be a scalar or a list of scalars");
            }
            if (v.isNull()) {
                each.add(event -> !field.exists(event));
            } else {
                tests.add(valueTest(v.asText(), modifiers));
            }
        }
        Match match;
        if (modifiers.contains("every")) {
            if (modifiers.contains("all") || !each.isEmpty()) {
                throw new IllegalArgumentException("'every' takes values to compare with, not null, and not with 'all'");
            }
            Predicate<String> anyValue = Glob.anyOf(tests);
            // At least one value, and none that matches no listed value: a pod spec without images trusts nothing.
            match = event -> field.exists(event) && !field.any(event, v -> !anyValue.test(v));
        } else if (modifiers.contains("all")) {
            tests.forEach(test -> each.add(event -> field.any(event, test)));
            match = Match.and(each);
        } else {
            // One walk of the field for all the values: a list of 16 capabilities over three container paths
            // would otherwise walk the pod spec 48 times.
            if (!tests.isEmpty()) {
                Predicate<String> anyValue = Glob.anyOf(tests);
                each.add(event -> field.any(event, anyValue));
            }
            match = Match.or(each);
        }
        boolean resource = path.equals("objectRef.resource");
        Set<String> hint = resource || path.equals("verb") ? indexHint(modifiers, values) : null;
        if (hint == null) {
            return match;
        }
        return new Match() {
            @Override
            public boolean test(AuditEvent event) {
                return match.test(event);
            }

            @Override
            public Set<String> resources() {
                return resource ? hint : null;
            }

            @Override
            public Set<String> verbs() {
                return resource ? null : hint;
            }
        };
    }

    /**
     * Exact, wildcard-free ASCII values of objectRef.resource or verb index the rule; anything else leaves it
     * unindexed (outside ASCII, a case-insensitive comparison matches more than the lower-case value).
     */
    private static Set<String> indexHint(Set<String> modifiers, List<JsonNode> values) {
        if (modifiers.stream().anyMatch(m -> !m.equals("list") && !m.equals("cased"))) {
            return null;
        }
        Set<String> hint = new LinkedHashSet<>();
        for (JsonNode v : values) {
            String text = v.asText();
            if (v.isNull() || text.contains("*") || text.contains("?") || text.contains("\\")
                    || !text.chars().allMatch(c -> c < 0x80)) {
                return null;
            }
            hint.add(text.toLowerCase(Locale.ROOT));
        }
        return Set.copyOf(hint);
    }

    private static Predicate<String> valueTest(String text, Set<String> modifiers) {
        if (modifiers.contains("re")) {
            int flags = (modifiers.contains("i") ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0)
                    | (modifiers.contains("m") ? Pattern.MULTILINE : 0) | (modifiers.contains("s") ? Pattern.DOTALL : 0);
            try {
                Pattern pattern = Pattern.compile(text, flags);
                return v -> pattern.matcher(v).find();
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("bad regular expression: " + e.getDescription()
                        + " near index " + e.getIndex() + " of '" + text + "'");
            }
        }
        if (modifiers.contains("cidr")) {
            return cidr(text);
        }
        for (String comparison : List.of("gt", "gte", "lt", "lte")) {
            if (modifiers.contains(comparison)) {
                return numeric(text, comparison);
            }
        }
        List<String> needles = new ArrayList<>();
        if (modifiers.contains("base64offset")) {
            needles.addAll(base64Offsets(text));
        } else if (modifiers.contains("base64")) {
            needles.add(Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8)));
        } else {
            needles.add(text);
        }
        boolean encoded = modifiers.contains("base64offset") || modifiers.contains("base64");
        boolean cased = modifiers.contains("cased") || encoded;
        List<Predicate<String>> tests = new ArrayList<>();
        for (String needle : needles) {
            // Encoded needles are literal text; plain ones may hold wildcards.
            String glob = encoded ? Glob.escape(needle) : needle;
            if (modifiers.contains("contains") || modifiers.contains("base64offset")) {
                glob = "*" + glob + "*";
            } else if (modifiers.contains("startswith")) {
                glob = glob + "*";
            } else if (modifiers.contains("endswith")) {
                glob = "*" + glob;
            }
            tests.add(Glob.compile(glob, cased));
        }
        return Glob.anyOf(tests);
    }

    /** Sigma's base64offset: the three encodings of a value at each offset, cut to the stable middle. */
    static List<String> base64Offsets(String text) {
        byte[] value = text.getBytes(StandardCharsets.UTF_8);
        int[] start = {0, 2, 3};
        int[] endCut = {0, 3, 2};
        List<String> out = new ArrayList<>(3);
        for (int i = 0; i < 3; i++) {
            byte[] padded = new byte[value.length + i];
            for (int j = 0; j < i; j++) {
                padded[j] = ' ';
            }
            System.arraycopy(value, 0, padded, i, value.length);
            String encoded = Base64.getEncoder().encodeToString(padded);
            int cut = endCut[(value.length + i) % 3];
            out.add(encoded.substring(start[i], encoded.length() - cut));
        }
        return out;
    }

    private static Predicate<String> numeric(String text, String comparison) {
        BigDecimal bound;
        try {
            bound = new BigDecimal(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + comparison + "' needs a number, not '" + text + "'");
        }
        IntPredicate holds = switch (comparison) {
            case "gt" -> c -> c > 0;
            case "gte" -> c -> c >= 0;
            case "lt" -> c -> c < 0;
            default -> c -> c <= 0;
        };
        // Values are nearly always plain integers (a response code, a count): compared as longs, without a
        // BigDecimal per event, when the bound is a whole number too. Anything else goes through BigDecimal.
        boolean fast = (bound.signum() == 0 || bound.stripTrailingZeros().scale() <= 0)
                && bound.abs().compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) < 0;
        long longBound = fast ? bound.longValueExact() : 0;
        return v -> {
            long plain = fast ? plainInteger(v) : NOT_PLAIN;
            if (plain != NOT_PLAIN) {
                return holds.test(Long.compare(plain, longBound));
            }
            BigDecimal actual;
            try {
                actual = new BigDecimal(v);
            } catch (NumberFormatException e) {
                return false;
            }
            return holds.test(actual.compareTo(bound));
        };
    }

    /** Returned by {@link #plainInteger} for any text that is not one. */
    private static final long NOT_PLAIN = Long.MIN_VALUE;

    /** An optional '-' and 1 to 18 ASCII digits as a long, else {@link #NOT_PLAIN}. */
    static long plainInteger(String v) {
        int n = v.length();
        int start = n > 0 && v.charAt(0) == '-' ? 1 : 0;
        if (n == start || n - start > 18) {
            return NOT_PLAIN;
        }
        long value = 0;
        for (int i = start; i < n; i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') {
                return NOT_PLAIN;
            }
            value = value * 10 + (c - '0');
        }
        return start == 1 ? -value : value;
    }

    private static Predicate<String> cidr(String text) {
        int slash = text.indexOf('/');
        InetAddress network = literalAddress(slash < 0 ? text : text.substring(0, slash));
        if (network == null) {
            throw new IllegalArgumentException("'" + text + "' is not a CIDR range");
        }
        byte[] prefix = network.getAddress();
        int bits;
        try {
            bits = slash < 0 ? prefix.length * 8 : Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a CIDR range");
        }
        if (bits < 0 || bits > prefix.length * 8) {
            throw new IllegalArgumentException("'" + text + "': prefix length out of range");
        }
        return v -> {
            InetAddress address = literalAddress(v);
            if (address == null) {
                return false;
            }
            byte[] actual = address.getAddress();
            if (actual.length != prefix.length) {
                return false;
            }
            for (int bit = 0; bit < bits; bit++) {
                int mask = 0x80 >> (bit % 8);
                if ((actual[bit / 8] & mask) != (prefix[bit / 8] & mask)) {
                    return false;
                }
            }
            return true;
        };
    }

    /** An IP literal, or null; never a DNS lookup (values come from attackers). */
    private static InetAddress literalAddress(String text) {
        boolean v4 = IPV4.matcher(text).matches();
        boolean v6 = text.indexOf(':') >= 0 && text.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.');
        if (!v4 && !v6) {
            return null;
        }
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
