package io.archiver.core.config;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A family of keys that carry a name ({@code policies.<scope>.archiveInternal},
 * {@code retention.override.domain:<d>}): every key under {@code prefix} belongs to it, and the
 * module that reads it checks the rest (scope forms, values) with messages of its own. An
 * environment variable can override such a key of the file, but not add one.
 *
 * @param pattern the keys as the reference shows them
 * @param prefix  every key that starts with it is one of the family
 * @param type    the values' type, as the reference shows it ({@code bool}, {@code int})
 * @param range   the values' range (may be empty)
 * @param roles   who reads them
 * @param doc     one line of documentation
 */
public record KeyPattern(List<String> pattern, String prefix, String type, String range, Set<Role> roles, String doc) {

    public KeyPattern {
        pattern = List.copyOf(pattern);
        roles = roles.isEmpty() ? EnumSet.noneOf(Role.class) : EnumSet.copyOf(roles);
    }

    public boolean matches(String key) {
        return key.startsWith(prefix);
    }

    /** The start of the environment variables of the family ({@code ARCHIVER_POLICIES_}). */
    public String environmentPrefix() {
        return Config.environmentName(prefix.endsWith(".") ? prefix + "x" : prefix + ".x").replaceAll("X$", "");
    }

    public boolean readBy(Role role) {
        return roles.contains(role);
    }
}
