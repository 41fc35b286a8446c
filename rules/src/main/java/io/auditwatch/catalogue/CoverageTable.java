package io.auditwatch.catalogue;

import io.auditwatch.engine.RuleDefinition;
import io.auditwatch.event.AuditEvent;
import io.auditwatch.event.AuditEventReader;
import io.auditwatch.event.ReadResult;
import io.auditwatch.language.ExecCommand;
import io.auditwatch.language.RuleSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The coverage table of docs/rules.md, generated from a rule set's catalogue and its fixtures so that it cannot
 * drift from the pack: each detection's level, ATT&amp;CK techniques, peer equivalents and the benign look-alikes its negative
 * fixture holds. A negative event says what it stands for in the annotation {@value #LOOKALIKE}; without one,
 * the table describes the request (verb, resource, user, response, exec command). Events annotated {@value #SCENE}
 * only set the scene and are left out.
 */
public final class CoverageTable {
    /** The annotation of a negative fixture event that names the benign activity it stands for. */
    public static final String LOOKALIKE = "fixture.auditwatch.io/lookalike";
    /**
     * The annotation of a negative fixture event that only sets the scene (a pod created and scheduled, a token learnt)
     * for the look-alikes of an analysis' rule: not a look-alike itself, so not in the table.
     */
    public static final String SCENE = "fixture.auditwatch.io/scene";
    private static final Pattern TECHNIQUE = Pattern.compile("attack\\.(t\\d{4}(\\.\\d{3})?)");
    private static final int SHOWN_LOOKALIKES = 4;
    private static final int SHOWN_CONDITION = 60;
    private static final AuditEventReader READER = new AuditEventReader(AuditEventReader.DEFAULT_MAX_EVENT_BYTES, "fixtures");

    private CoverageTable() {
    }

    /** The table in Markdown, a row per detection of the catalogue (rules, correlations, the analyses' rules). */
    public static String markdown(RuleSet rules, Path fixtures) throws IOException {
        StringBuilder out = new StringBuilder();
        out.append("| rule | level | ATT&CK | peer equivalents | benign look-alikes (negative fixtures) |\n");
        out.append("|---|---|---|---|---|\n");
        for (RuleSet.Entry entry : rules.catalogue()) {
            RuleDefinition rule = entry.rule();
            out.append("| `").append(rule.id()).append("` | ").append(rule.level().json())
                    .append(entry.enabled() ? "" : " (disabled)").append(" | ")
                    .append(techniques(rule).isEmpty() ? "—" : String.join(", ", techniques(rule))).append(" | ").append(cell(equivalents(rule))).append(" | ")
                    .append(cell(lookalikes(fixtures.resolve(rule.id()).resolve("negative.jsonl")))).append(" |\n");
        }
        return out.toString();
    }

    private static List<String> techniques(RuleDefinition rule) {
        List<String> out = new ArrayList<>();
        for (String tag : rule.tags()) {
            Matcher m = TECHNIQUE.matcher(tag);
            if (m.matches()) {
                out.add(m.group(1).toUpperCase(java.util.Locale.ROOT));
            }
        }
        return out;
    }

    private static List<String> equivalents(RuleDefinition rule) {
        List<String> out = new ArrayList<>();
        for (String name : rule.equivalents()) {
            RuleDefinition.When when = rule.when().get(name);
            if (when == null) {
                out.add(name);
            } else {
                out.add(name + (when.text().length() <= SHOWN_CONDITION ? " (when " + when.text() + ")" : " (when the alert matches its condition)"));
            }
        }
        return out;
    }

    private static List<String> lookalikes(Path negative) throws IOException {
        if (!Files.isRegularFile(negative)) {
            return List.of("(no negative fixture)");
        }
        List<String> out = new ArrayList<>();
        int count = 0;
        for (String line : Files.readAllLines(negative)) {
            if (line.isBlank()) {
                continue;
            }
            ReadResult read = READER.read(line.getBytes(StandardCharsets.UTF_8), 0);
            if (!read.events().isEmpty() && read.events().get(0).annotation(SCENE) != null) {
                continue;
            }
            count++;
            if (out.size() < SHOWN_LOOKALIKES) {
                out.add(read.events().isEmpty() ? "(unreadable fixture line)" : describe(read.events().get(0)));
            }
        }
        if (count > out.size()) {
            out.add("and " + (count - out.size()) + " more");
        }
        return out;
    }

    /** The fixture's own words when it has them; else the request in brief. */
    static String describe(AuditEvent e) {
        String said = e.annotation(LOOKALIKE);
        if (said != null && !said.isEmpty()) {
            return said;
        }
        String target = e.resource() == null ? String.valueOf(e.requestURI) : e.resource();
        if (e.subresource() != null) {
            target += "/" + e.subresource();
        }
        if (e.objectName() != null) {
            target += " " + (e.namespace() == null ? "" : e.namespace() + "/") + e.objectName();
        }
        String command = ExecCommand.of(e);
        Integer code = e.responseCode();
        return e.verb + " " + target + (command == null ? "" : " `" + command + "`") + " by "
                + (e.user == null ? "?" : e.user.username()) + " (" + (code == null ? "no code" : code) + ")";
    }

    private static String cell(List<String> items) {
        return items.isEmpty() ? "—" : String.join("; ", items).replace("|", "\\|").replace("\n", " ");
    }
}
