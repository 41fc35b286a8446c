package io.auditwatch.catalogue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.auditwatch.language.RuleSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * docs/rules.md's coverage table is the one {@link CoverageTable} generates from the default pack and
 * replay-data/rules. When a rule, a level, an equivalent or a fixture changes, regenerate it with
 * {@code mvn -q -pl rules -am test -Dtest=CoverageTableTest -Dsurefire.failIfNoSpecifiedTests=false -Dauditwatch.regenerate=true}
 * (or print it with {@code ./auditwatch rules list --markdown}).
 */
class CoverageTableTest {
    static final Path DOC = Path.of("../docs/rules.md");
    static final Path FIXTURES = Path.of("../replay-data/rules");
    static final String BEGIN = "<!-- coverage:begin";
    static final String END = "<!-- coverage:end -->";

    @Test
    void shouldMatchTheTableThePackAndItsFixturesGenerate() throws IOException {
        String doc = Files.readString(DOC, StandardCharsets.UTF_8);
        int begin = doc.indexOf(BEGIN);
        int end = doc.indexOf(END);
        assertTrue(begin >= 0 && end > begin, "docs/rules.md needs the markers " + BEGIN + " ... --> and " + END);
        int tableStart = doc.indexOf("-->", begin) + "-->".length() + 1;
        String expected = CoverageTable.markdown(RuleSet.defaults(), FIXTURES);
        if (Boolean.getBoolean("auditwatch.regenerate")) {
            Files.writeString(DOC, doc.substring(0, tableStart) + expected + doc.substring(end), StandardCharsets.UTF_8);
            doc = Files.readString(DOC, StandardCharsets.UTF_8);
            end = doc.indexOf(END);
        }
        assertEquals(expected, doc.substring(tableStart, end), "docs/rules.md's coverage table is out of date;"
                + " regenerate it: mvn -q -pl rules -am test -Dtest=CoverageTableTest"
                + " -Dsurefire.failIfNoSpecifiedTests=false -Dauditwatch.regenerate=true");
    }

    @Test
    void shouldDescribeANegativeFixtureByItsLookalikeAnnotationOrElseByTheRequest() throws IOException {
        String table = CoverageTable.markdown(RuleSet.defaults(), FIXTURES);
        assertTrue(table.contains("readiness-probe-like exec: cat /tmp/healthy"), "annotated look-alike missing");
        assertTrue(table.contains("get pods/exec shop/web-1 by alice@example.com (403)"), "generated description missing");
        assertTrue(table.contains("| `exec-reverse-shell` | high | T1609, T1059 | elastic:Kubernetes Pod Exec Potential Reverse Shell |"),
                "row of exec-reverse-shell");
    }
}
