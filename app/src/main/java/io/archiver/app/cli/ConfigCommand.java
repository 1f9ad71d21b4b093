package io.archiver.app.cli;

import io.archiver.app.NodeSettings;
import io.archiver.core.config.Catalog;
import io.archiver.core.config.Config;
import io.archiver.core.config.ConfigReference;
import io.archiver.core.config.KeyPattern;
import io.archiver.core.config.Role;
import io.archiver.core.config.Setting;
import io.archiver.ingest.FrontendSettings;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code config check|reference}: validate a configuration and show it, or print the configuration reference. */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = "Check a configuration file, or print the configuration reference.",
        subcommands = {ConfigCommand.Check.class, ConfigCommand.Reference.class})
public final class ConfigCommand implements Callable<Integer> {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: check or reference");
    }

    /**
     * Validates the file and the {@code ARCHIVER_*} variables as the role would at start (exit 2 with
     * the message on an error), then prints every key of the role with its effective value and where it
     * comes from (the file, the environment, the default), secrets masked.
     */
    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Validate a configuration (file and ARCHIVER_* environment) and print the effective configuration, secrets masked.")
    public static final class Check implements Callable<Integer> {

        @Option(names = "--config", required = true, paramLabel = "FILE", description = "properties or YAML file")
        Path file;

        @Option(names = "--role", paramLabel = "ROLE",
                description = "node or frontend (default: frontend when the file has a key only a front-end reads, else node)")
        String role;

        @Override
        public Integer call() {
            Catalog catalog = Catalog.installed();
            Role chosen;
            String why;
            if (role != null) {
                chosen = Role.parse(role);
                why = "given by --role";
            } else {
                List<String> frontendOnly = frontendOnlyKeys(catalog, Config.readFile(file), System.getenv());
                chosen = frontendOnly.isEmpty() ? Role.NODE : Role.FRONTEND;
                why = frontendOnly.isEmpty() ? "detected: no key only a front-end reads"
                        : "detected from front-end keys: " + String.join(", ", frontendOnly.subList(0, Math.min(3, frontendOnly.size())));
            }
            Config config = Config.load(file, chosen);
            if (chosen == Role.NODE) {
                NodeSettings.from(config);
            } else {
                FrontendSettings.from(config);
            }
            print(System.out, catalog, config, chosen, why);
            return 0;
        }

        private static List<String> frontendOnlyKeys(Catalog catalog, Map<String, String> values, Map<String, String> environment) {
            List<String> keys = new ArrayList<>();
            for (String key : values.keySet().stream().sorted().toList()) {
                if (catalog.rolesOf(key).equals(Set.of(Role.FRONTEND))) {
                    keys.add(key);
                }
            }
            for (Setting<?> setting : catalog.settings(Role.FRONTEND)) {
                if (environment.containsKey(setting.environmentName()) && catalog.rolesOf(setting.name()).equals(Set.of(Role.FRONTEND))) {
                    keys.add(setting.environmentName());
                }
            }
            return keys;
        }

        private static void print(PrintStream out, Catalog catalog, Config config, Role role, String why) {
            out.println("configuration OK: " + config.source() + " as a " + role.label() + "'s (" + why + ")");
            List<String[]> rows = new ArrayList<>();
            for (Setting<?> setting : catalog.settings(role)) {
                rows.add(new String[] {setting.name(), value(setting, config), origin(setting, config)});
            }
            for (KeyPattern pattern : catalog.patterns()) {
                if (pattern.readBy(role)) {
                    for (String key : config.keysUnder(pattern.prefix())) {
                        rows.add(new String[] {key, config.find(key).orElse(""), config.origin(key).orElse("default")});
                    }
                }
            }
            int keyWidth = rows.stream().mapToInt(r -> r[0].length()).max().orElse(3);
            int valueWidth = Math.min(60, rows.stream().mapToInt(r -> r[1].length()).max().orElse(5));
            out.printf("%-" + keyWidth + "s  %-" + valueWidth + "s  %s%n", "KEY", "VALUE", "FROM");
            for (String[] row : rows) {
                out.printf("%-" + keyWidth + "s  %-" + valueWidth + "s  %s%n", row[0], row[1], row[2]);
            }
        }

        private static <T> String value(Setting<T> setting, Config config) {
            Optional<T> set = setting.find(config);
            if (setting.secret()) {
                return set.isPresent() ? "****" : "(not set)";
            }
            if (set.isPresent()) {
                return setting.type().format(set.get());
            }
            return setting.hasDefault() ? setting.type().format(setting.get(config)) : "(" + setting.defaultText() + ")";
        }

        private static String origin(Setting<?> setting, Config config) {
            Optional<String> origin = config.origin(setting.name());
            if (origin.isEmpty() && setting.fileKey().isPresent()) {
                origin = config.origin(setting.fileKey().get()).map(o -> o + " (" + setting.fileKey().get() + ")");
            }
            return origin.orElse("default");
        }
    }

    /** Prints the configuration reference (docs/operations/configuration.md) generated from the key definitions. */
    @Command(name = "reference", mixinStandardHelpOptions = true,
            description = "Print the configuration reference (Markdown), generated from the key definitions: "
                    + "./archiver config reference > docs/operations/configuration.md")
    public static final class Reference implements Callable<Integer> {

        @Override
        public Integer call() {
            System.out.print(ConfigReference.markdown(Catalog.installed()));
            System.out.flush();
            return 0;
        }
    }
}
