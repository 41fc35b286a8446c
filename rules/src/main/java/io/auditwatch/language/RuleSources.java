package io.auditwatch.language;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where rule files come from: the default pack on the classpath ({@code index.txt} names its files in load order),
 * files and directories on disk, parsed into YAML documents with every error collected.
 */
public final class RuleSources {
    /** Where the default pack lives on the classpath; {@code index.txt} lists its files in load order. */
    public static final String DEFAULT_PACK = "/io/auditwatch/rules/pack/";

    /** A rule file's name (for errors) and text. */
    public record Source(String file, String text) {
    }

    /** The default pack's files, in load order. */
    public static List<Source> defaultSources() {
        List<Source> sources = new ArrayList<>();
        for (String name : resource(DEFAULT_PACK + "index.txt").split("\n")) {
            if (!name.isBlank() && !name.startsWith("#")) {
                sources.add(new Source(DEFAULT_PACK.substring(1) + name.trim(), resource(DEFAULT_PACK + name.trim())));
            }
        }
        return sources;
    }

    /** The rule files among {@code paths} (directories are searched for {@code *.yml} and {@code *.yaml}), read. */
    public static List<Source> sources(List<Path> paths) throws RuleException {
        List<Source> sources = new ArrayList<>();
        List<RuleError> errors = new ArrayList<>();
        for (Path path : paths) {
            List<Path> files;
            if (Files.isDirectory(path)) {
                try (Stream<Path> walk = Files.walk(path)) {
                    files = walk.filter(Files::isRegularFile)
                            .filter(f -> f.toString().endsWith(".yml") || f.toString().endsWith(".yaml"))
                            .sorted().toList();
                } catch (IOException e) {
                    errors.add(new RuleError(path.toString(), 0, null, "cannot read directory: " + e.getMessage()));
                    continue;
                }
            } else {
                files = List.of(path);
            }
            for (Path file : files) {
                try {
                    sources.add(new Source(file.toString(), Files.readString(file, StandardCharsets.UTF_8)));
                } catch (IOException e) {
                    errors.add(new RuleError(file.toString(), 0, null, "cannot read: " + e));
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new RuleException(errors);
        }
        return sources;
    }

    /** The documents of these files, or every parse error of all of them. */
    static List<YamlDocument> parse(List<Source> sources) throws RuleException {
        List<RuleError> errors = new ArrayList<>();
        List<YamlDocument> documents = new ArrayList<>();
        for (Source source : sources) {
            try {
                documents.addAll(YamlDocument.parse(source.file(), source.text()));
            } catch (RuleException e) {
                errors.addAll(e.errors());
            }
        }
        if (!errors.isEmpty()) {
            throw new RuleException(errors);
        }
        return documents;
    }

    /** {@code list:NAME} or {@code macro:NAME} for a list or macro document, else null. */
    static String sharedName(YamlDocument doc) {
        JsonNode root = doc.root();
        if (root.has("list")) {
            return "list:" + root.path("list").asText();
        }
        return root.has("macro") ? "macro:" + root.path("macro").asText() : null;
    }

    private static String resource(String name) {
        try (InputStream in = RuleSources.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private RuleSources() {
    }
}
