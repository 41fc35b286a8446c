package io.auditwatch.cli;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Lets every option be set from an environment variable named after its long form, under one prefix:
 * {@code --bootstrap-servers} reads {@code AUDITWATCH_BOOTSTRAP_SERVERS} (upper-case, dashes to underscores).
 * The prefix keeps generic names ({@code PORT}) and Kubernetes' service variables from setting an option.
 * A flag on the command line always wins; without flag and variable the option's own default applies.
 *
 * <p>Help/version options and {@code --debug} (see {@code AUDITWATCH_DEBUG}) are not read from the
 * environment. The environment is injected so tests need not touch the process environment.
 */
public final class EnvDefaultProvider implements IDefaultValueProvider {

    private final Map<String, String> env;

    public EnvDefaultProvider(Map<String, String> env) {
        this.env = Objects.requireNonNull(env, "env");
    }

    /**
     * The environment the command line was built with, for settings a file names by variable (the routing
     * file's {@code urlEnv}); the process environment when the command runs without this provider.
     */
    static Map<String, String> of(picocli.CommandLine.Model.CommandSpec spec) {
        return spec.root().commandLine().getDefaultValueProvider() instanceof EnvDefaultProvider p ? p.env : System.getenv();
    }

    public static final String PREFIX = "AUDITWATCH_";

    /** {@code --bootstrap-servers} → {@code AUDITWATCH_BOOTSTRAP_SERVERS}. */
    public static String envName(String longOption) {
        String name = longOption;
        while (name.startsWith("-")) {
            name = name.substring(1);
        }
        return PREFIX + name.replace('-', '_').toUpperCase(Locale.ROOT);
    }

    /** The variable that feeds {@code option}, or null when it is not fed from the environment. */
    public static String envNameOf(OptionSpec option) {
        if (option.usageHelp() || option.versionHelp() || Main.DEBUG_OPTION.equals(option.longestName())) {
            return null;
        }
        String longest = option.longestName();
        return longest.startsWith("--") ? envName(longest) : null;
    }

    @Override
    public String defaultValue(ArgSpec argSpec) {
        if (!argSpec.isOption()) {
            return null;
        }
        String name = envNameOf((OptionSpec) argSpec);
        if (name == null) {
            return null;
        }
        String value = env.get(name);
        return value == null || value.isEmpty() ? null : value;
    }
}
