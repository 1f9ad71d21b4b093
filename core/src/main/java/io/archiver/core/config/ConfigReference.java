package io.archiver.core.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The configuration reference ({@code docs/operations/configuration.md}), generated from the
 * definitions of the keys ({@link Catalog}) so that the documentation cannot drift from the code:
 * {@code ./archiver config reference > docs/operations/configuration.md} rewrites it.
 */
public final class ConfigReference {

    private ConfigReference() {
    }

    public static String markdown(Catalog catalog) {
        StringBuilder out = new StringBuilder();
        out.append("# Configuration reference\n\n");
        out.append("<!-- Generated from the key definitions (io.archiver.core.config.Setting and each module's *Keys class): "
                + "do not edit by hand. Regenerate with ./archiver config reference > docs/operations/configuration.md -->\n\n");
        out.append("""
                Each role reads one file, given by `--config FILE` (`.properties`, or `.yml`/`.yaml` whose nested
                keys are joined with dots): the front-end (`./archiver frontend`) its own, the archive node
                (`./archiver node`) its own; the CLI commands that take `--config` (`migrate`, `hold`, `purge`,
                `verify`, `export`, `status`, `conflicts`, `replay-dead-letters`) read the node's file.
                `./archiver config check --config FILE [--role node|frontend]` validates a file (and the
                environment) and prints the effective configuration, with where each value comes from and
                secrets masked.

                ## Rules

                - **Strict.** A key of the file that no role reads is an error (exit 2) naming the key and,
                  when a known key is close, the key meant (`retention.dayz` -> "did you mean retention.days?").
                  So is a key that only the other role reads (`spool.dir` in a node's file), and so is an
                  `ARCHIVER_*` environment variable that overrides no key, except the launcher's own:
                  %s.
                - **Environment.** Every key can be overridden by the environment variable
                  `ARCHIVER_<KEY_UPPER_SNAKE>`: dots and other punctuation become `_`, a lower-case letter
                  followed by a capital gets a `_` between them, and all is upper-cased (`db.url` ->
                  `ARCHIVER_DB_URL`, `spool.maxBytes` -> `ARCHIVER_SPOOL_MAX_BYTES`). The environment wins over
                  the file.
                - **Secrets** (the `secret` column) may instead come from a file: `<key>File` names it
                  (`db.passwordFile=/run/secrets/db_password`, or `ARCHIVER_DB_PASSWORD_FILE`), and its content
                  (without trailing white space) is the value. Secrets are never taken from the command line and
                  never logged; `config check` shows them as `****`.
                - **Types.** `int` whole numbers; `bool` `true`/`false` (also `yes`/`no`, `on`/`off`); `bytes`
                  sizes `1048576`, `64KiB`, `512MiB`, `1GiB` (binary multiples, `kb`/`mb`/`gb` the same);
                  `duration` `250ms`, `30s`, `5m`, `2h`, `1d` or ISO-8601 `PT30S`; `list` comma-separated (a YAML
                  sequence also); `path` a file or directory; `cron` a Quartz cron expression (seconds minutes
                  hours day-of-month month day-of-week). An empty value is the same as no value.
                - **Patterned keys** carry a name (a policy's scope, a retention override's domain or user).
                  An environment variable can override such a key set in the file but cannot add one.
                - **Escaping.** In a `.properties` file a `:` ends the key unless escaped: write every `:` of a
                  scope as `\\:` (`policies.domain\\:example.com.archiveExternal=false`,
                  `retention.override.user\\:sip\\:alice@example.com=365`); YAML takes the key as written
                  (quote it: `"retention.override.domain:example.com": 365`). A key cut at an unescaped `:` is
                  refused with that advice.

                """.formatted(catalog.groups().isEmpty() ? "" : Catalog.LAUNCHER_VARIABLES.stream().sorted()
                .map(v -> "`" + v + "`").collect(Collectors.joining(", "))));
        for (SettingGroup group : catalog.groups()) {
            out.append("## ").append(group.area()).append("\n\n");
            if (!group.settings().isEmpty()) {
                out.append("| key | type | default | range | secret | environment | doc |\n");
                out.append("|---|---|---|---|---|---|---|\n");
                for (Setting<?> s : group.settings()) {
                    out.append("| `").append(s.name()).append("`")
                            .append(s.fileKey().map(f -> " (or `" + f + "`)").orElse(""))
                            .append(" | ").append(s.type().name())
                            .append(" | ").append(s.hasFixedDefault() && !s.defaultText().contains(" ")
                                    ? "`" + s.defaultText() + "`" : cell(s.defaultText()))
                            .append(" | ").append(cell(s.type().range()))
                            .append(" | ").append(s.secret() ? "yes" : "")
                            .append(" | `").append(s.environmentName()).append("`")
                            .append(" | ").append(cell(s.doc())).append(" |\n");
                }
                out.append("\n");
            }
            List<KeyPattern> patterns = group.patterns();
            if (!patterns.isEmpty()) {
                out.append("Patterned keys:\n\n");
                out.append("| keys | type | range | doc |\n");
                out.append("|---|---|---|---|\n");
                for (KeyPattern p : patterns) {
                    out.append("| ").append(p.pattern().stream().map(k -> "`" + k + "`").collect(Collectors.joining("<br>")))
                            .append(" | ").append(p.type())
                            .append(" | ").append(cell(p.range()))
                            .append(" | ").append(cell(p.doc())).append(" |\n");
                }
                out.append("\n");
            }
        }
        return out.toString();
    }

    private static String cell(String text) {
        if (text == null || text.isEmpty()) {
            return "";
        }
        return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;").replace("\n", " ");
    }
}
