package io.archiver.ingest;

import io.archiver.core.config.Config;
import io.archiver.core.config.ConfigException;
import io.archiver.core.record.ArchiveRecord;
import io.archiver.core.record.ParticipantUri;
import io.archiver.core.record.SipUri;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The archiving policies of contract section 6 ({@code policies.*}), the analogue of OCS
 * {@code CsArchivingPolicy}: which records the front-end archives and which it drops before they reach
 * the spool. With no {@code policies.*} key at all, everything is archived.
 *
 * <h2>Keys</h2>
 * {@code policies.<scope>.archiveInternal} and {@code policies.<scope>.archiveExternal}, each
 * {@code true} or {@code false}, where {@code <scope>} is one of
 * <ul>
 *   <li>{@code global}: every participant;</li>
 *   <li>{@code domain:<domain>}: participants whose SIP URI is in that domain (exactly that domain, not its
 *       sub-domains; compared case-insensitively);</li>
 *   <li>{@code user:<sip uri>}: that one participant, {@code sip:user@domain} (the domain's case is folded as
 *       in records; the user part is compared as written).</li>
 * </ul>
 * A key is read by its prefix {@code policies.} and its suffix {@code .archiveInternal} or
 * {@code .archiveExternal}; what lies between is the scope, so domains and URIs may contain dots. Any other
 * key under {@code policies.} (unknown scope form or flag, an invalid domain or SIP URI, an empty value, two
 * keys for the same scope and flag) fails the start with a {@link ConfigException} that says what to fix.
 * In a {@code .properties} file the {@code :} of a scope must be escaped ({@code policies.domain\:example.com.archiveExternal=false},
 * {@code policies.user\:sip\:alice@example.com.archiveInternal=false}): an unescaped {@code :} ends the key,
 * which this class recognises and refuses with that advice. In YAML, write the scope as a (quoted) key.
 * Each value is read as a bool through {@link FrontendKeys#POLICIES}' definition, so
 * {@code ARCHIVER_POLICIES_...} environment variables override the values of keys the file has (they cannot
 * add scopes: the loader refuses such a variable).
 *
 * <h2>Which records are archived</h2>
 * <ol>
 *   <li>The flag consulted is {@code archiveExternal} when the record's {@code external} is true (at least one
 *       participant outside the organisation), else {@code archiveInternal}.</li>
 *   <li>Every participant of the record (its {@code from} and each of its {@code to}) has an effective value
 *       of that flag: the one of the narrowest scope that sets that flag, {@code user:<its uri>}, else
 *       {@code domain:<its domain>}, else {@code global}, else {@code true}. A scope may set one flag only;
 *       the other falls through to the wider scopes.</li>
 *   <li>The record is archived when the effective flag of <em>any</em> participant is true: archiving is per
 *       user, as in OCS, so a conversation involving one user whose policy archives it is archived.</li>
 * </ol>
 * Records are expected validated and normalised ({@link io.archiver.core.record.RecordParser}), as they are
 * wherever the front-end applies the policies. Instances are immutable and thread-safe.
 */
public final class ArchivingPolicies {

    public static final String PREFIX = "policies.";

    private static final String GLOBAL = "global";
    private static final String DOMAIN = "domain:";
    private static final String USER = "user:";
    private static final String[] FLAGS = {"archiveInternal", "archiveExternal"};
    private static final int INTERNAL = 0;
    private static final int EXTERNAL = 1;
    private static final String HOW = "write policies.<scope>.archiveInternal or policies.<scope>.archiveExternal = true|false,"
            + " where <scope> is global, domain:<domain> or user:<sip uri> (e.g. policies.domain:example.com.archiveExternal,"
            + " policies.user:sip:alice@example.com.archiveInternal)";

    private static final ArchivingPolicies ARCHIVE_EVERYTHING = new ArchivingPolicies(new Boolean[2], List.of(new HashMap<>(), new HashMap<>()),
            List.of(new HashMap<>(), new HashMap<>()), 0);

    /** Per flag: the global value (null = not set). */
    private final Boolean[] global;
    /** Per flag: domain (lower case) -> value. */
    private final List<Map<String, Boolean>> domains;
    /** Per flag: normalised SIP URI -> value. */
    private final List<Map<String, Boolean>> users;
    /** Per flag: true when no scope sets it to false, so every record of that kind is archived. */
    private final boolean[] archivesAll = new boolean[2];
    private final int settings;

    private ArchivingPolicies(Boolean[] global, List<Map<String, Boolean>> domains, List<Map<String, Boolean>> users, int settings) {
        this.global = global.clone();
        this.domains = List.of(Map.copyOf(domains.get(INTERNAL)), Map.copyOf(domains.get(EXTERNAL)));
        this.users = List.of(Map.copyOf(users.get(INTERNAL)), Map.copyOf(users.get(EXTERNAL)));
        this.settings = settings;
        for (int flag = INTERNAL; flag <= EXTERNAL; flag++) {
            archivesAll[flag] = !Boolean.FALSE.equals(global[flag])
                    && !this.domains.get(flag).containsValue(Boolean.FALSE)
                    && !this.users.get(flag).containsValue(Boolean.FALSE);
        }
    }

    /** No policy: every record is archived. */
    public static ArchivingPolicies archiveEverything() {
        return ARCHIVE_EVERYTHING;
    }

    /**
     * Reads every {@code policies.*} key of {@code config}.
     *
     * @throws ConfigException naming the key and what to fix, for any key under {@code policies.} that is not
     *                         a valid scope and flag, or whose value is not true or false
     */
    public static ArchivingPolicies from(Config config) {
        List<String> keys = config.keysUnder(PREFIX);
        if (keys.isEmpty()) {
            return ARCHIVE_EVERYTHING;
        }
        Boolean[] global = new Boolean[2];
        List<Map<String, Boolean>> domains = List.of(new HashMap<>(), new HashMap<>());
        List<Map<String, Boolean>> users = List.of(new HashMap<>(), new HashMap<>());
        Map<String, String> seen = new LinkedHashMap<>();
        for (String key : keys) {
            int flag = flagOf(key);
            if (flag < 0) {
                throw unknownKey(config, key);
            }
            String scope = key.substring(PREFIX.length(), key.length() - FLAGS[flag].length() - 1);
            String canonical = canonicalScope(key, scope);
            String previous = seen.put(canonical + "." + FLAGS[flag], key);
            if (previous != null) {
                throw new ConfigException("settings " + previous + " and " + key + " set the same policy (scope " + canonical
                        + ", flag " + FLAGS[flag] + "): keep one of them");
            }
            boolean value = value(config, key);
            if (canonical.equals(GLOBAL)) {
                global[flag] = value;
            } else if (canonical.startsWith(DOMAIN)) {
                domains.get(flag).put(canonical.substring(DOMAIN.length()), value);
            } else {
                users.get(flag).put(canonical.substring(USER.length()), value);
            }
        }
        return new ArchivingPolicies(global, domains, users, keys.size());
    }

    /** Whether the policies archive {@code record}; see the class comment for the rule. */
    public boolean archives(ArchiveRecord record) {
        int flag = record.external() ? EXTERNAL : INTERNAL;
        if (archivesAll[flag]) {
            return true;
        }
        if (archivesFor(record.from(), flag)) {
            return true;
        }
        for (String to : record.to()) {
            if (archivesFor(to, flag)) {
                return true;
            }
        }
        return false;
    }

    /** True when no policy drops anything (no key, or none set to false): the front-end can skip the check. */
    public boolean archivesEverything() {
        return archivesAll[INTERNAL] && archivesAll[EXTERNAL];
    }

    /**
     * The effective value of {@code archiveInternal} ({@code external} false) or {@code archiveExternal}
     * ({@code external} true) for one participant: user scope, else domain scope, else global, else true.
     */
    public boolean archivesFor(String sipUri, boolean external) {
        return archivesFor(sipUri, external ? EXTERNAL : INTERNAL);
    }

    private boolean archivesFor(String uri, int flag) {
        Boolean value = users.get(flag).get(uri);
        if (value != null) {
            return value;
        }
        Map<String, Boolean> byDomain = domains.get(flag);
        if (!byDomain.isEmpty()) {
            value = byDomain.get(uri.substring(uri.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT));
            if (value != null) {
                return value;
            }
        }
        return global[flag] == null || global[flag];
    }

    /** One line for the start-up log: what is set, without listing every user. */
    public String describe() {
        if (settings == 0) {
            return "none (every record is archived)";
        }
        List<String> parts = new ArrayList<>();
        for (int flag = INTERNAL; flag <= EXTERNAL; flag++) {
            List<String> set = new ArrayList<>();
            if (global[flag] != null) {
                set.add("global=" + global[flag]);
            }
            if (!domains.get(flag).isEmpty()) {
                set.add(domains.get(flag).size() + " domain(s)");
            }
            if (!users.get(flag).isEmpty()) {
                set.add(users.get(flag).size() + " user(s)");
            }
            parts.add(FLAGS[flag] + ": " + (set.isEmpty() ? "not set (true)" : String.join(", ", set)));
        }
        return String.join("; ", parts);
    }

    @Override
    public String toString() {
        return "ArchivingPolicies[" + describe() + "]";
    }

    private static int flagOf(String key) {
        for (int flag = INTERNAL; flag <= EXTERNAL; flag++) {
            String suffix = "." + FLAGS[flag];
            if (key.endsWith(suffix) && key.length() > PREFIX.length() + suffix.length()) {
                return flag;
            }
        }
        return -1;
    }

    /** {@code global}, {@code domain:<lower-case domain>} or {@code user:<normalised uri>}. */
    private static String canonicalScope(String key, String scope) {
        if (scope.equals(GLOBAL)) {
            return GLOBAL;
        }
        if (scope.startsWith(DOMAIN)) {
            String domain = scope.substring(DOMAIN.length());
            if (domain.isEmpty() || !SipUri.isDomain(domain)) {
                throw new ConfigException("setting " + key + ": '" + domain + "' is not a domain name (dot-separated labels of"
                        + " letters, digits and inner hyphens): write the scope as domain:example.com");
            }
            return DOMAIN + domain.toLowerCase(Locale.ROOT);
        }
        if (scope.startsWith(USER)) {
            String uri = scope.substring(USER.length());
            Optional<String> normalised = ParticipantUri.normalize(uri);
            if (normalised.isEmpty()) {
                throw new ConfigException("setting " + key + ": '" + uri + "' is not a SIP URI sip:user@domain: write the scope as"
                        + " user:sip:alice@example.com");
            }
            return USER + normalised.get();
        }
        String hint = "";
        if (scope.startsWith("domain.") || scope.startsWith("user.")) {
            hint = " (a scope is separated from its name by ':', not '.': domain:example.com, user:sip:alice@example.com)";
        } else if (scope.equalsIgnoreCase(GLOBAL) || scope.regionMatches(true, 0, DOMAIN, 0, DOMAIN.length())
                || scope.regionMatches(true, 0, USER, 0, USER.length())) {
            hint = " (scope forms are written in lower case)";
        }
        throw new ConfigException("setting " + key + ": unknown policy scope '" + scope + "'" + hint + "; " + HOW);
    }

    private static boolean value(Config config, String key) {
        if (config.find(key).filter(v -> !v.isEmpty()).isEmpty()) {
            throw new ConfigException("setting " + key + " has no value: set it to true or false, or remove it");
        }
        return FrontendKeys.policy(key).get(config);
    }

    /**
     * A key under {@code policies.} without a known flag. When it looks like a scope cut short by an unescaped
     * {@code :} of a {@code .properties} line ({@code policies.domain:example.com.archiveExternal=false} reads
     * as key {@code policies.domain}), the message says so and shows the escaped line.
     */
    private static ConfigException unknownKey(Config config, String key) {
        String value = config.find(key).orElse("");
        boolean cutAtColon = key.equals(PREFIX + "domain") || key.equals(PREFIX + "user")
                || value.matches("(?s).*\\.archive(Internal|External)\\s*[=:].*");
        if (!cutAtColon) {
            return new ConfigException("setting " + key + " is not an archiving policy: " + HOW);
        }
        int equals = value.indexOf('=');
        String escaped;
        if (equals > 0) {
            String intended = key + ":" + value.substring(0, equals).strip();
            escaped = intended.replace(":", "\\:") + "=" + value.substring(equals + 1).strip();
        } else {
            escaped = key.equals(PREFIX + "user")
                    ? "policies.user\\:sip\\:alice@example.com.archiveInternal=false"
                    : "policies.domain\\:example.com.archiveExternal=false";
        }
        return new ConfigException("setting " + key + " = '" + value + "' looks like an archiving policy whose key was cut at an"
                + " unescaped ':' (in a .properties file ':' ends the key, like '='): escape every ':' of the scope as \\:,"
                + " e.g. " + escaped + " (user scopes have two: policies.user\\:sip\\:alice@example.com.archiveInternal=false),"
                + " or use a YAML config file");
    }
}
