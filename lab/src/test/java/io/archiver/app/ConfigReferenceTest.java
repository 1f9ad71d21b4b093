package io.archiver.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.archiver.core.config.Catalog;
import io.archiver.core.config.ConfigReference;
import io.archiver.core.config.KeyPattern;
import io.archiver.core.config.Role;
import io.archiver.core.config.Setting;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/operations/configuration.md is what the key definitions generate. To regenerate it:
 * {@code ./archiver config reference > docs/operations/configuration.md}, or run this test with
 * {@code -Dconfig.reference.write=true}.
 */
class ConfigReferenceTest {

    private static final Path FILE = Path.of("..", "docs", "operations", "configuration.md");

    @Test
    void theDocumentedReferenceIsTheGeneratedOne() throws Exception {
        String generated = ConfigReference.markdown(Catalog.installed());
        if (Boolean.getBoolean("config.reference.write")) {
            Files.createDirectories(FILE.getParent());
            Files.writeString(FILE, generated, StandardCharsets.UTF_8);
        }
        assertThat(Files.exists(FILE)).as(FILE + " is missing: " + HOW).isTrue();
        String documented = Files.readString(FILE, StandardCharsets.UTF_8);
        assertThat(documented).as(FILE.normalize() + " differs from what the key definitions generate: " + HOW).isEqualTo(generated);
    }

    @Test
    void everyKeyIsDocumentedAndEveryDocumentedKeyIsDefined() throws Exception {
        Catalog catalog = Catalog.installed();
        assertThat(catalog.groups()).extracting(g -> g.getClass().getSimpleName())
                .as("every module's keys are installed")
                .containsExactly("FrontendKeys", "StoreKeys", "ClusterKeys", "RetentionKeys", "IntegrityKeys", "ExportKeys");
        String documented = Files.readString(FILE, StandardCharsets.UTF_8);
        Set<String> defined = new LinkedHashSet<>();
        for (Setting<?> setting : catalog.settings()) {
            defined.add(setting.name());
            assertThat(setting.doc()).as("doc of " + setting.name()).isNotBlank();
            assertThat(setting.defaultText()).as("default of " + setting.name()).isNotBlank();
            assertThat(setting.roles()).as("roles of " + setting.name()).isNotEmpty();
            setting.fileKey().ifPresent(defined::add);
        }
        Set<String> tabled = new LinkedHashSet<>();
        Matcher row = Pattern.compile("(?m)^\\| `([^`]+)`(?: \\(or `([^`]+)`\\))? \\|").matcher(documented);
        while (row.find()) {
            tabled.add(row.group(1));
            if (row.group(2) != null) {
                tabled.add(row.group(2));
            }
        }
        assertThat(tabled).as("the keys in the reference's tables").containsExactlyInAnyOrderElementsOf(defined);
        for (KeyPattern pattern : catalog.patterns()) {
            pattern.pattern().forEach(key -> assertThat(documented).contains("`" + key + "`"));
        }
        assertThat(catalog.settings(Role.NODE)).extracting(Setting::name).contains("node.name", "db.url", "retention.days",
                "failover.mode", "integrity.key", "exports.dir");
        assertThat(catalog.settings(Role.FRONTEND)).extracting(Setting::name).contains("frontend.name", "spool.dir", "archive.brokers");
        assertThat(documented).contains("ARCHIVER_<KEY_UPPER_SNAKE>", "<key>File", "\\:", "ARCHIVER_JAVA_OPTS", "ARCHIVER_TOKEN");
        List<String> secrets = catalog.settings().stream().filter(Setting::secret).map(Setting::name).toList();
        assertThat(secrets).containsExactlyInAnyOrder("db.password", "integrity.key");
    }

    private static final String HOW = "regenerate it with ./archiver config reference > docs/operations/configuration.md "
            + "(or mvn -o -B verify -pl lab -am -Dtest=ConfigReferenceTest -Dconfig.reference.write=true -Dsurefire.failIfNoSpecifiedTests=false)";
}
