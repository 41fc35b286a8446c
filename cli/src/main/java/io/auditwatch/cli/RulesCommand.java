package io.auditwatch.cli;

import io.auditwatch.engine.Correlation;
import io.auditwatch.engine.Detection;
import io.auditwatch.engine.RuleDefinition;
import io.auditwatch.rules.RuleError;
import io.auditwatch.rules.RuleException;
import io.auditwatch.rules.RuleFixtures;
import io.auditwatch.rules.RuleSet;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code auditwatch rules}: validate, test and list rule files. */
@Command(name = "rules", mixinStandardHelpOptions = true,
        description = "Validate, test and list detection rules (Sigma-shaped YAML; see docs/rules.md).",
        subcommands = {RulesCommand.Validate.class, RulesCommand.Test.class, RulesCommand.ListRules.class})
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
            for (RuleError error : e.errors()) {
                err.println(io.auditwatch.alert.ConsoleFormat.escape(error.toString()));
            }
            throw new UserError(e.errors().size() + " error(s) in " + paths + "; nothing was loaded");
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
                    + rules.detections().size() + " enabled), " + rules.allCorrelations().size() + " correlations");
            return 0;
        }
    }

    @Command(name = "test", mixinStandardHelpOptions = true,
            description = {"Run every rule against its fixtures: DIR/<rule id>/positive.jsonl must alert,"
                    + " negative.jsonl must not. Exit 1 if any rule fails."})
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
                    out.println("FAIL " + outcome.ruleId() + ": " + io.auditwatch.alert.ConsoleFormat.escape(outcome.failure()));
                }
            }
            for (String orphan : RuleFixtures.orphans(set, fixtures)) {
                out.println("WARN fixtures for unknown rule " + orphan);
            }
            int total = set.all().size() + set.allCorrelations().size();
            out.println((total - failed) + " of " + total + " rules pass their fixtures");
            return failed == 0 ? 0 : 1;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List rules: id, level, enabled, title, equivalents in other tools.")
    static final class ListRules implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--rules", paramLabel = "DIR|FILE", description = "Rules to list (default: the built-in pack).")
        List<Path> rules;

        @Override
        public Integer call() {
            RuleSet set = rules == null ? RuleSet.defaults() : load(rules, spec.commandLine().getErr());
            PrintWriter out = spec.commandLine().getOut();
            for (Detection d : set.all()) {
                print(out, d.rule(), set.detections().contains(d), "rule");
            }
            for (Correlation c : set.allCorrelations()) {
                print(out, c.rule(), set.correlations().contains(c), "correlation");
            }
            return 0;
        }

        private static void print(PrintWriter out, RuleDefinition rule, boolean enabled, String kind) {
            out.printf("%-36s %-13s %-8s %-11s %s%s%n", rule.id(), rule.level().json(), enabled ? "enabled" : "disabled",
                    kind, rule.title(), rule.equivalents().isEmpty() ? "" : "  [" + String.join("; ", rule.equivalents()) + "]");
        }
    }
}
