package io.auditwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every offline command in the README and docs/ ({@code replay} and {@code rules validate|test|list}) runs as
 * written and exits 0. The placeholders the docs use are made as a reader would make them: {@code my-rules/}
 * holds the first rule of docs/rules.md, {@code audit.log} a recorded scenario. Commands that need a broker, a
 * pipe, or files the docs leave to the reader (SigmaHQ's repository, your own fixtures) are not run.
 */
class DocsCommandsTest {
    private static final Path ROOT = Path.of("..");
    private static final Pattern COMMAND = Pattern.compile("^\\s*\\./auditwatch (.*)$", Pattern.MULTILINE);
    private static final Pattern YAML = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL);
    private static final Set<String> OUTPUT_OPTIONS = Set.of("--alerts-out", "--report");

    @TempDir
    static Path work;

    record Example(String doc, String command) {
        @Override
        public String toString() {
            return doc + ": " + command;
        }
    }

    static Stream<Example> examples() throws IOException {
        List<Path> docs = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        try (Stream<Path> files = Files.list(ROOT.resolve("docs"))) {
            files.filter(f -> f.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        List<Example> out = new ArrayList<>();
        for (Path doc : docs) {
            Matcher m = COMMAND.matcher(Files.readString(doc));
            while (m.find()) {
                for (String part : m.group(1).replaceFirst("\\s+#.*$", "").split("&&")) {
                    String command = part.strip().replaceFirst("^\\./auditwatch ", "");
                    if (offline(command)) {
                        out.add(new Example(doc.getFileName().toString(), command));
                    }
                }
            }
        }
        assertTrue(out.size() >= 8, "offline examples found: " + out);
        return out.stream();
    }

    private static boolean offline(String command) {
        return (command.startsWith("replay ") || command.matches("rules (validate|test|list)\\b.*"))
                && !command.contains("|") && !command.contains("--bootstrap-servers")
                && !command.contains("--from-topic") && !command.contains("--to-topic");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void shouldRunAsWritten(Example example) throws IOException {
        placeholders();
        List<String> args = new ArrayList<>();
        String previous = "";
        for (String word : words(example.command())) {
            args.add(OUTPUT_OPTIONS.contains(previous) ? work.resolve(word).toString() : path(word));
            previous = word;
        }
        List<String> missing = args.stream().filter(a -> a.startsWith("MISSING:")).toList();
        org.junit.jupiter.api.Assumptions.assumeTrue(missing.isEmpty(),
                "the docs leave " + missing + " to the reader");
        CliRun run = new CliRun(Map.of(), args.toArray(String[]::new));
        assertEquals(0, run.exitCode, example + "\n" + run.err);
    }

    /**
     * What the docs expect the reader to have: their own rules (the first of docs/rules.md), fixtures for them (the
     * scenario's port-forward to postgres-0, moved to namespace prod to fire, as it is to stay quiet), and a log.
     */
    private static void placeholders() throws IOException {
        Path rules = work.resolve("my-rules");
        if (Files.isDirectory(rules)) {
            return;
        }
        Matcher yaml = YAML.matcher(Files.readString(ROOT.resolve("docs/rules.md")));
        assertTrue(yaml.find());
        Files.createDirectories(rules);
        Files.writeString(rules.resolve("prod-db-portforward.yml"), yaml.group(1));
        Path events = ROOT.resolve("replay-data/scenarios/compromised-pod/events.jsonl");
        Files.copy(events, work.resolve("audit.log"));
        String portForward = Files.readAllLines(events).stream()
                .filter(l -> l.contains("\"subresource\":\"portforward\"") && l.contains("ResponseComplete"))
                .findFirst().orElseThrow();
        Path fixtures = Files.createDirectories(work.resolve("my-fixtures/prod-db-portforward"));
        Files.writeString(fixtures.resolve("positive.jsonl"),
                portForward.replace("\"namespace\":\"shop\"", "\"namespace\":\"prod\"") + "\n");
        Files.writeString(fixtures.resolve("negative.jsonl"), portForward + "\n");
    }

    /** A word as a path in the reader's directory or the repository, else itself (an option, a value). */
    private static String path(String word) {
        if (!word.startsWith("-") && Files.exists(work.resolve(word))) {
            return work.resolve(word).toString();
        }
        if (word.startsWith("-") || !(word.contains("/") || word.contains("."))) {
            return word;
        }
        if (Files.exists(ROOT.resolve(word))) {
            return ROOT.resolve(word).toString();
        }
        return word.matches("[0-9T:.Z-]+|\\*.*|.*\\*") ? word : "MISSING:" + word;
    }

    /** Shell words: spaces split, single quotes group, [optional] brackets are the reader's to drop. */
    private static List<String> words(String command) {
        List<String> words = new ArrayList<>();
        Matcher m = Pattern.compile("'([^']*)'|(\\S+)").matcher(command.replace("[", "").replace("]", ""));
        while (m.find()) {
            words.add(m.group(1) != null ? m.group(1) : m.group(2));
        }
        return words;
    }
}
