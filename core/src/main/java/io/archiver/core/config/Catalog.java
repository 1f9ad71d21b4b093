package io.archiver.core.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Every known key: the {@link SettingGroup}s of the modules. The loader checks a file's keys and the
 * {@code ARCHIVER_*} variables against it: an unknown key, or a key only the other role reads, is an
 * error naming the key, where it came from and, when a known key is close, the key meant.
 */
public final class Catalog {

    /** The launcher's own variables ({@code ./archiver}, {@code send}, {@link Config} users' debugging). */
    public static final Set<String> LAUNCHER_VARIABLES = Set.of("ARCHIVER_JAVA_OPTS", "ARCHIVER_TOKEN", "ARCHIVER_DEBUG");

    private static volatile Catalog installed;

    private final List<SettingGroup> groups;

    private Catalog(List<SettingGroup> groups) {
        this.groups = groups.stream().sorted(Comparator.comparingInt(SettingGroup::order).thenComparing(SettingGroup::area)).toList();
        Map<String, String> seen = new LinkedHashMap<>();
        for (SettingGroup group : this.groups) {
            for (Setting<?> setting : group.settings()) {
                for (Role role : setting.roles()) {
                    String previous = seen.put(role + "/" + setting.name(), group.area());
                    if (previous != null) {
                        throw new IllegalStateException("key " + setting.name() + " is defined twice for the " + role.label()
                                + " (" + previous + ", " + group.area() + ")");
                    }
                }
            }
        }
    }

    /** The groups of every module on the class path (found once). */
    public static Catalog installed() {
        Catalog catalog = installed;
        if (catalog == null) {
            List<SettingGroup> found = new ArrayList<>();
            ServiceLoader.load(SettingGroup.class, Catalog.class.getClassLoader()).forEach(found::add);
            catalog = new Catalog(found);
            installed = catalog;
        }
        return catalog;
    }

    public static Catalog of(SettingGroup... groups) {
        return new Catalog(List.of(groups));
    }

    public static Catalog of(List<SettingGroup> groups) {
        return new Catalog(groups);
    }

    public List<SettingGroup> groups() {
        return groups;
    }

    public List<Setting<?>> settings() {
        return groups.stream().flatMap(g -> g.settings().stream()).toList();
    }

    public List<KeyPattern> patterns() {
        return groups.stream().flatMap(g -> g.patterns().stream()).toList();
    }

    /** The settings {@code role} reads, in reference order. */
    public List<Setting<?>> settings(Role role) {
        return settings().stream().filter(s -> s.readBy(role)).toList();
    }

    public Optional<Setting<?>> find(String key, Role role) {
        return settings(role).stream().filter(s -> s.name().equals(key)).findFirst();
    }

    /**
     * The roles that read {@code key} (a setting, a secret's {@code <key>File}, or a key of a pattern);
     * empty when no role does.
     */
    public Set<Role> rolesOf(String key) {
        Set<Role> roles = new java.util.TreeSet<>();
        for (Setting<?> setting : settings()) {
            if (setting.name().equals(key) || setting.fileKey().filter(key::equals).isPresent()) {
                roles.addAll(setting.roles());
            }
        }
        for (KeyPattern pattern : patterns()) {
            if (pattern.matches(key)) {
                roles.addAll(pattern.roles());
            }
        }
        return roles;
    }

    /**
     * Checks the keys of a file and the {@code ARCHIVER_*} variables of {@code environment}.
     *
     * @param role who reads them, or null when the caller does not say (tests, the lab): then a key of
     *             either role goes
     * @throws ConfigException for the first unknown key or variable, or one the other role reads
     */
    public void check(Map<String, String> fileValues, Map<String, String> environment, Role role, String source) {
        for (String key : fileValues.keySet().stream().sorted().toList()) {
            Set<Role> roles = rolesOf(key);
            if (roles.isEmpty()) {
                throw new ConfigException("unknown setting " + key + " in " + source + suggestion(key, role));
            }
            if (role != null && !roles.contains(role)) {
                throw new ConfigException("setting " + key + " in " + source + " is " + article(roles) + " setting, not read by a "
                        + role.label() + (role == Role.NODE ? " or the CLI commands" : "") + ": remove it, or use the "
                        + other(role).label() + "'s file");
            }
        }
        Map<String, String> fileKeysByVariable = fileValues.keySet().stream()
                .collect(Collectors.toMap(Config::environmentName, k -> k, (a, b) -> a));
        for (String variable : environment.keySet().stream().filter(v -> v.startsWith("ARCHIVER_")).sorted().toList()) {
            if (LAUNCHER_VARIABLES.contains(variable)) {
                continue;
            }
            Optional<String> key = keyOfVariable(variable, fileKeysByVariable);
            if (key.isEmpty()) {
                Optional<KeyPattern> pattern = patterns().stream().filter(p -> variable.startsWith(p.environmentPrefix())).findFirst();
                if (pattern.isPresent()) {
                    throw new ConfigException("environment variable " + variable + " overrides no key of " + source + ": an "
                            + "environment variable can override a " + pattern.get().prefix() + "* key set in the file but cannot add one"
                            + " (put the key in the file)");
                }
                throw new ConfigException("unknown environment variable " + variable + ": it overrides no setting"
                        + variableSuggestion(variable, role) + " (besides the settings' ARCHIVER_<KEY_UPPER_SNAKE>, only "
                        + String.join(", ", LAUNCHER_VARIABLES.stream().sorted().toList()) + " are read)");
            }
            Set<Role> roles = rolesOf(key.get());
            if (role != null && !roles.contains(role)) {
                throw new ConfigException("environment variable " + variable + " sets " + key.get() + ", " + article(roles)
                        + " setting, not read by a " + role.label() + ": unset it for this process");
            }
        }
    }

    private Optional<String> keyOfVariable(String variable, Map<String, String> fileKeysByVariable) {
        for (Setting<?> setting : settings()) {
            if (setting.environmentName().equals(variable)) {
                return Optional.of(setting.name());
            }
            if (setting.fileKey().map(Config::environmentName).filter(variable::equals).isPresent()) {
                return setting.fileKey();
            }
        }
        String fileKey = fileKeysByVariable.get(variable);
        return fileKey != null && patterns().stream().anyMatch(p -> p.matches(fileKey)) ? Optional.of(fileKey) : Optional.empty();
    }

    /**
     * " (did you mean retention.days?)" when a known key of the role (else of the other role) is close
     * to {@code key}; else "".
     */
    public String suggestion(String key, Role role) {
        return closest(key, names(role)).or(() -> closest(key, names(null))).map(k -> " (did you mean " + k + "?)").orElse("");
    }

    private String variableSuggestion(String variable, Role role) {
        Map<String, String> byVariable = new LinkedHashMap<>();
        for (String name : names(role)) {
            byVariable.putIfAbsent(Config.environmentName(name), name);
        }
        Map<String, String> all = new LinkedHashMap<>();
        for (String name : names(null)) {
            all.putIfAbsent(Config.environmentName(name), name);
        }
        return closest(variable, byVariable.keySet()).or(() -> closest(variable, all.keySet()))
                .map(v -> " (did you mean " + v + ", for " + all.get(v) + "?)").orElse("");
    }

    private List<String> names(Role role) {
        List<String> names = new ArrayList<>();
        for (Setting<?> setting : settings()) {
            if (role == null || setting.readBy(role)) {
                names.add(setting.name());
                setting.fileKey().ifPresent(names::add);
            }
        }
        return names.stream().distinct().toList();
    }

    /** The known name nearest to {@code text} (edit distance, case-insensitive), when near enough to be a typo. */
    static Optional<String> closest(String text, Iterable<String> known) {
        String lower = text.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            int d = distance(lower, candidate.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        int allowed = Math.max(2, Math.min(4, lower.length() / 5));
        return best != null && bestDistance <= allowed ? Optional.of(best) : Optional.empty();
    }

    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    private static String article(Set<Role> roles) {
        return roles.contains(Role.FRONTEND) && !roles.contains(Role.NODE) ? "a front-end" : "a node";
    }

    private static Role other(Role role) {
        return role == Role.NODE ? Role.FRONTEND : Role.NODE;
    }
}
