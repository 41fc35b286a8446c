package io.auditwatch.language;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every YAML example of docs/rules.md works as written: {@code yaml} blocks load as a rule file does in
 * {@code rules validate} and {@code replay --rules} (the default pack's lists and macros in scope), {@code yaml patch}
 * blocks as records pushed to the default pack.
 */
class DocsExamplesTest {
    static final Path DOC = Path.of("../docs/rules.md");
    private static final Pattern BLOCK = Pattern.compile("```(yaml(?: patch)?)\\n(.*?)```", Pattern.DOTALL);

    record Example(String kind, String yaml, int index) {
        @Override
        public String toString() {
            return kind + " #" + index + ": " + yaml.lines().findFirst().orElse("");
        }
    }

    static Stream<Example> examples() throws IOException {
        List<Example> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(Files.readString(DOC));
        while (m.find()) {
            out.add(new Example(m.group(1), m.group(2), out.size() + 1));
        }
        assertFalse(out.isEmpty(), "no examples in " + DOC);
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void shouldLoadAsARuleFile(Example example) throws RuleException, IOException {
        if (example.kind().equals("yaml patch")) {
            TunedRules rules = TunedRules.defaults(Duration.ofHours(1));
            for (TunedRules.Record record : TunedRules.records("docs/rules.md", example.yaml())) {
                TunedRules.Change change = rules.apply(record.key(), record.value());
                assertTrue(change.accepted(), change.toString());
            }
            return;
        }
        // As `auditwatch rules validate my-rules/` and `replay --rules my-rules/` load it.
        Path dir = Files.createTempDirectory("my-rules");
        Files.writeString(dir.resolve("example.yml"), example.yaml());
        RuleSet set = RuleSet.load(List.of(dir));
        assertFalse(set.all().isEmpty() && set.allCorrelations().isEmpty(), "the example defines no rule");
    }
}
