package io.auditwatch.cli;

import io.auditwatch.alert.ConsoleFormat;
import io.auditwatch.kafka.Topics;
import io.auditwatch.engine.Correlation;
import io.auditwatch.kafka.KafkaClients;
import io.auditwatch.engine.Detection;
import io.auditwatch.catalogue.CoverageTable;
import io.auditwatch.catalogue.RuleFixtures;
import io.auditwatch.engine.RuleDefinition;
import io.auditwatch.language.RuleError;
import io.auditwatch.language.RuleException;
import io.auditwatch.language.RuleSet;
import io.auditwatch.language.TunedRules;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code auditwatch rules}: validate, test and list rule files. */
@Command(name = "rules", mixinStandardHelpOptions = true,
        description = "Validate, test and list detection rules (Sigma-shaped YAML; see docs/rules.md).",
        subcommands = {RulesCommand.Validate.class, RulesCommand.Test.class, RulesCommand.ListRules.class,
            RulesCommand.Push.class, RulesCommand.Diff.class})
final class RulesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    /** Loads rule files, or fails with every error found, one per line on stderr. */
    static RuleSet load(List<Path> paths, PrintWriter err) {
        for (Path path : paths) {
            if (!Files.exists(path)) {
                throw new UserError("no such file or directory: " + path);
            }
        }
        try {
            return RuleSet.load(paths);
        } catch (RuleException e) {
            print(e.errors(), err);
            throw new UserError(e.errors().size() + " error(s) in " + paths + "; nothing was loaded");
        }
    }

    /** The changes on auditwatch.rules now in force, by key (a tombstone removes its key). */
    static java.util.Map<String, String> inForce(String bootstrapServers, java.time.Duration wait) {
        Properties p = KafkaClients.properties(bootstrapServers);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        java.util.Map<String, String> latest = new java.util.TreeMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.RULES, wait)
                    .stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            java.util.Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                for (ConsumerRecord<String, String> r : consumer.poll(java.time.Duration.ofMillis(500))) {
                    if (r.value() == null) {
                        latest.remove(r.key());
                    } else {
                        latest.put(r.key(), r.value());
                    }
                }
            }
        }
        return latest;
    }

    /** One error after another; a YAML parser's message spans lines, kept as lines (each escaped). */
    static void print(List<RuleError> errors, PrintWriter err) {
        for (RuleError error : errors) {
            error.toString().lines().forEach(line -> err.println(ConsoleFormat.escape(line)));
        }
    }

    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = {"Check rule files: YAML, known fields and modifiers, regular expressions, lists, macros,"
                    + " condition syntax, duplicate ids. Errors name file, line and field.",
                "Exit 0 when every file is valid."})
    static final class Validate implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "DIR|FILE", arity = "1..*", description = "Rule files or directories of *.yml/*.yaml.")
        List<Path> paths;

        @Override
        public Integer call() {
            RuleSet rules = load(paths, spec.commandLine().getErr());
            spec.commandLine().getOut().println("valid: " + rules.all().size() + " rules ("
                    + rules.detections().size() + " enabled), " + rules.allCorrelations().size() + " correlations"
                    + (rules.analysisRules().isEmpty() ? "" : ", " + rules.analysisRules().size() + " analysis rules"));
            return 0;
        }
    }

    @Command(name = "test", mixinStandardHelpOptions = true,
            description = {"Run every detection (rules, correlations, the node analyses' rules) against its fixtures:"
                    + " DIR/<rule id>/positive.jsonl must alert, negative.jsonl must not. Exit 1 if any fails."})
    static final class Test implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "DIR", description = "Fixture directory (replay-data/rules for the default pack).")
        Path fixtures;

        @Option(names = "--rules", paramLabel = "DIR|FILE", description = "Rules to test (default: the built-in pack).")
        List<Path> rules;

        @Override
        public Integer call() throws IOException {
            if (!Files.isDirectory(fixtures)) {
                throw new UserError("no such directory: " + fixtures);
            }
            PrintWriter out = spec.commandLine().getOut();
            RuleSet set = rules == null ? RuleSet.defaults() : load(rules, spec.commandLine().getErr());
            int failed = 0;
            for (RuleFixtures.Outcome outcome : RuleFixtures.checkAll(set, fixtures)) {
                if (!outcome.passed()) {
                    failed++;
                    out.println("FAIL " + outcome.ruleId() + ": " + ConsoleFormat.escape(outcome.failure()));
                }
            }
            for (String orphan : RuleFixtures.orphans(set, fixtures)) {
                out.println("WARN fixtures for unknown rule " + orphan);
            }
            int total = set.catalogue().size();
            out.println((total - failed) + " of " + total + " rules pass their fixtures");
            return failed == 0 ? 0 : 1;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List every detection: id, level, enabled, kind (rule, correlation, or the analysis that"
                    + " raises it: node-graph, token-sources), title, equivalents in other tools.")
    static final class ListRules implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--rules", paramLabel = "DIR|FILE", description = "Rules to list (default: the built-in pack).")
        List<Path> rules;

        @Option(names = "--markdown", description = "Print the coverage table of docs/rules.md instead: level,"
                + " ATT&CK techniques, peer equivalents and the negative fixtures' benign look-alikes of each rule.")
        boolean markdown;

        @Option(names = "--fixtures", paramLabel = "DIR", defaultValue = "replay-data/rules",
                description = "Fixture directories (<DIR>/<rule id>/negative.jsonl) for --markdown (default: ${DEFAULT-VALUE}).")
        Path fixtures;

        @Override
        public Integer call() throws IOException {
            RuleSet set = rules == null ? RuleSet.defaults() : load(rules, spec.commandLine().getErr());
            PrintWriter out = spec.commandLine().getOut();
            if (markdown) {
                out.print(CoverageTable.markdown(set, fixtures));
                out.flush();
                return 0;
            }
            for (RuleSet.Entry entry : set.catalogue()) {
                print(out, entry.rule(), entry.enabled(), entry.kind());
            }
            return 0;
        }

        private static void print(PrintWriter out, RuleDefinition rule, boolean enabled, String kind) {
            out.printf("%-36s %-13s %-8s %-13s %s%s%n", rule.id(), rule.level().json(), enabled ? "enabled" : "disabled",
                    kind, rule.title(), rule.equivalents().isEmpty() ? "" : "  [" + String.join("; ", rule.equivalents()
                            .stream().map(e -> rule.when().containsKey(e) ? e + " (when " + rule.when().get(e).text() + ")" : e)
                            .toList()) + "]");
        }
    }

    @Command(name = "push", mixinStandardHelpOptions = true, showDefaultValues = true,
            description = {"Send rules, patches or lists to auditwatch.rules, where every running detector picks them"
                    + " up within seconds. Each document goes under its id (a list under list:<name>); a document"
                    + " without a title is a patch of the rule its id names (enabled, level, threshold, timespan,"
                    + " exceptions). Everything is checked against the built-in pack first: nothing is sent if"
                    + " anything is wrong.",
                "Detectors report each outcome on auditwatch.rules.status."})
    static final class Push implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "FILE", arity = "0..*", description = "Rule files to push.")
        List<Path> files = List.of();

        @Option(names = "--restore", paramLabel = "ID", split = ",",
                description = "Restore these rules (or list:<name>) to the built-in version (a tombstone).")
        List<String> restore = List.of();

        @Mixin
        KafkaOptions kafka;

        @Override
        public Integer call() throws IOException {
            if (files.isEmpty() && restore.isEmpty()) {
                throw new UserError("nothing to push: give rule files or --restore ID");
            }
            List<TunedRules.Record> records = new java.util.ArrayList<>();
            for (Path file : files) {
                ReplayCommand.requireFile(file, "rule file");
                try {
                    records.addAll(TunedRules.records(file.toString(), Files.readString(file)));
                } catch (RuleException e) {
                    print(e.errors(), spec.commandLine().getErr());
                    throw new UserError(file + " is not valid; nothing was pushed");
                }
            }
            restore.forEach(id -> records.add(new TunedRules.Record(id, null)));
            TunedRules check = TunedRules.defaults(java.time.Duration.ofHours(1));
            for (TunedRules.Record record : records) {
                TunedRules.Change change = check.apply(record.key(), record.value());
                if (!change.accepted()) {
                    throw new UserError(record.key() + " would be rejected: " + ConsoleFormat.escape(change.reason())
                            + "; nothing was pushed");
                }
            }
            String bootstrapServers = kafka.connect();
            if (!restore.isEmpty()) {
                java.util.Map<String, String> changed = inForce(bootstrapServers, kafka.kafkaWait());
                for (String id : restore) {
                    if (!changed.containsKey(id)) {
                        throw new UserError("--restore " + ConsoleFormat.escape(id) + ": no change to it is in force"
                                + " (see 'auditwatch rules diff'), so there is nothing to restore; nothing was pushed");
                    }
                }
            }
            Properties p = KafkaClients.properties(bootstrapServers);
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
                for (TunedRules.Record record : records) {
                    producer.send(new ProducerRecord<>(Topics.RULES, record.key(), record.value())).get();
                    spec.commandLine().getOut().println((record.value() == null ? "restored " : "pushed ") + record.key());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UserError("interrupted while pushing to " + Topics.RULES, e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new UserError("cannot push to " + Topics.RULES + ": " + e.getCause().getMessage(), e);
            }
            spec.commandLine().getOut().println("detectors report each outcome on " + Topics.RULES_STATUS);
            return 0;
        }
    }

    @Command(name = "diff", mixinStandardHelpOptions = true, showDefaultValues = true,
            description = "Show how the rules in force differ from the built-in pack: every change on auditwatch.rules.")
    static final class Diff implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        KafkaOptions kafka;

        @Override
        public Integer call() {
            String bootstrapServers = kafka.connect();
            java.util.Map<String, String> latest = inForce(bootstrapServers, kafka.kafkaWait());
            // Which changes would the detectors hold? Replay them as a detector does, to say so.
            TunedRules replayed = TunedRules.defaults(java.time.Duration.ofHours(1));
            PrintWriter out = spec.commandLine().getOut();
            if (latest.isEmpty()) {
                out.println("no changes: the built-in pack is in force");
            }
            latest.forEach((key, value) -> {
                TunedRules.Change change = replayed.apply(key, value);
                out.println((change.accepted() ? "" : "REJECTED ") + change.action() + " " + ConsoleFormat.escape(key)
                        + (change.accepted() ? "" : ": " + ConsoleFormat.escape(change.reason())));
                value.lines().forEach(line -> out.println("    " + ConsoleFormat.escape(line)));
            });
            return 0;
        }
    }
}
