package io.archiver.retention;

import io.archiver.core.config.Config;
import io.archiver.core.config.ConfigException;
import io.archiver.core.record.ParticipantUri;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Per-domain and per-user retention ({@code retention.override.domain:<d> = DAYS},
 * {@code retention.override.user:<sip uri> = DAYS}). A participant's retention is its user override,
 * else its domain's, else the default; a record is kept as long as the longest retention among its
 * participants (sender and recipients), so nobody's records go before their time.
 *
 * <p>In a {@code .properties} file the colon of a scope must be escaped ({@code \:}), or Java reads it
 * as the end of the key; YAML takes it as written.
 */
public record RetentionOverrides(Map<String, Integer> daysByScope) {

    public static final String PREFIX = "retention.override.";

    public RetentionOverrides {
        daysByScope = Map.copyOf(daysByScope);
    }

    public static RetentionOverrides none() {
        return new RetentionOverrides(Map.of());
    }

    public static RetentionOverrides from(Config config) {
        if (config.find("retention.override.domain").isPresent() || config.find("retention.override.user").isPresent()) {
            throw new ConfigException("a retention.override key lost its scope at an unescaped ':' (Java properties read "
                    + "'retention.override.domain:example.com=365' as key 'retention.override.domain'); write "
                    + "'retention.override.domain\\:example.com = 365' in a .properties file, or use YAML");
        }
        Map<String, Integer> days = new LinkedHashMap<>();
        for (String key : config.keysUnder(PREFIX)) {
            String scope = key.substring(PREFIX.length());
            int value = RetentionKeys.override(key).get(config);
            days.put(normalizeScope(key, scope), value);
        }
        return new RetentionOverrides(days);
    }

    /** {@code domain:<lower-case domain>} or {@code user:<normalised SIP URI>}, as the purge compares them. */
    static String normalizeScope(String key, String scope) {
        if (scope.startsWith("domain:") && scope.length() > "domain:".length()) {
            String domain = scope.substring("domain:".length()).toLowerCase(Locale.ROOT);
            if (domain.contains("@") || domain.contains(":") || domain.isBlank()) {
                throw new ConfigException("setting " + key + ": '" + domain + "' is not a domain (write domain:example.com)");
            }
            return "domain:" + domain;
        }
        if (scope.startsWith("user:")) {
            String uri = scope.substring("user:".length());
            return "user:" + ParticipantUri.normalize(uri).orElseThrow(() -> new ConfigException(
                    "setting " + key + ": '" + uri + "' is not a SIP URI (write user:sip:alice@example.com)"));
        }
        throw new ConfigException("setting " + key + ": unknown scope '" + scope
                + "', expected retention.override.domain:<domain> or retention.override.user:<sip uri>");
    }

    public boolean isEmpty() {
        return daysByScope.isEmpty();
    }
}
