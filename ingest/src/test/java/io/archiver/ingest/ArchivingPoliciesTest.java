package io.archiver.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.archiver.core.config.Config;
import io.archiver.core.config.ConfigException;
import io.archiver.core.record.ArchiveRecord;
import io.archiver.core.record.Kind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scope resolution and key parsing of the archiving policies ({@code policies.*}). */
class ArchivingPoliciesTest {

    @TempDir
    Path dir;

    private static ArchivingPolicies policies(String... keysAndValues) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            values.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return ArchivingPolicies.from(Config.of(values, Map.of()));
    }

    private static ArchiveRecord record(boolean external, String from, String... to) {
        return new ArchiveRecord("id-1", "conv-1", Kind.MESSAGE, Instant.parse("2026-11-24T10:15:30Z"), from, List.of(to),
                "text/plain", "hello", external);
    }

    private static ArchiveRecord internal(String from, String... to) {
        return record(false, from, to);
    }

    private static ArchiveRecord external(String from, String... to) {
        return record(true, from, to);
    }

    // ---- defaults ----

    @Test
    void withoutPoliciesEverythingIsArchived() {
        ArchivingPolicies none = ArchivingPolicies.from(Config.of(Map.of("http.port", "0"), Map.of()));
        assertThatThrownBy(() -> Config.of(Map.of("policiesX", "false"), Map.of()))
                .as("a key that only starts like a policy is no policy: an unknown key").hasMessageContaining("unknown setting policiesX");
        assertThat(none.archivesEverything()).isTrue();
        assertThat(none.archives(internal("sip:a@example.com", "sip:b@example.com"))).isTrue();
        assertThat(none.archives(external("sip:a@example.com", "sip:b@partner.net"))).isTrue();
        assertThat(ArchivingPolicies.archiveEverything().archivesEverything()).isTrue();
    }

    @Test
    void policiesThatOnlySayTrueArchiveEverything() {
        ArchivingPolicies allTrue = policies("policies.global.archiveInternal", "true", "policies.domain:example.com.archiveExternal", "yes");
        assertThat(allTrue.archivesEverything()).isTrue();
        assertThat(allTrue.archives(external("sip:a@example.com", "sip:b@partner.net"))).isTrue();
    }

    // ---- narrowest scope wins ----

    @Test
    void theNarrowestScopeThatSetsTheFlagWins() {
        ArchivingPolicies p = policies(
                "policies.global.archiveInternal", "false",
                "policies.domain:example.com.archiveInternal", "true",
                "policies.user:sip:carol@example.com.archiveInternal", "false",
                "policies.user:sip:dave@fabrikam.com.archiveInternal", "true");
        assertThat(p.archivesEverything()).isFalse();
        assertThat(p.archivesFor("sip:bob@example.com", false)).as("domain beats global").isTrue();
        assertThat(p.archivesFor("sip:carol@example.com", false)).as("user beats domain").isFalse();
        assertThat(p.archivesFor("sip:erin@fabrikam.com", false)).as("global").isFalse();
        assertThat(p.archivesFor("sip:dave@fabrikam.com", false)).as("user beats global").isTrue();
    }

    @Test
    void anUnsetFlagFallsThroughToTheWiderScopeFlagByFlag() {
        ArchivingPolicies p = policies(
                "policies.global.archiveExternal", "false",
                "policies.domain:example.com.archiveInternal", "false",
                "policies.user:sip:alice@example.com.archiveExternal", "true");
        // alice: internal from her domain (false), external from her user scope (true)
        assertThat(p.archivesFor("sip:alice@example.com", false)).isFalse();
        assertThat(p.archivesFor("sip:alice@example.com", true)).isTrue();
        // bob: internal from the domain (false), external from global (false)
        assertThat(p.archivesFor("sip:bob@example.com", false)).isFalse();
        assertThat(p.archivesFor("sip:bob@example.com", true)).isFalse();
        // someone elsewhere: internal unset everywhere (true), external from global (false)
        assertThat(p.archivesFor("sip:x@partner.net", false)).isTrue();
        assertThat(p.archivesFor("sip:x@partner.net", true)).isFalse();
    }

    @Test
    void aUserScopeSettingOnlyOneFlagLeavesTheOtherToTheDomain() {
        ArchivingPolicies p = policies(
                "policies.domain:example.com.archiveInternal", "false",
                "policies.domain:example.com.archiveExternal", "false",
                "policies.user:sip:alice@example.com.archiveInternal", "true");
        assertThat(p.archivesFor("sip:alice@example.com", false)).isTrue();
        assertThat(p.archivesFor("sip:alice@example.com", true)).as("archiveExternal falls through to the domain").isFalse();
    }

    // ---- which flag, and any participant ----

    @Test
    void theRecordsExternalFieldSelectsTheFlag() {
        ArchivingPolicies p = policies("policies.global.archiveInternal", "false");
        assertThat(p.archives(internal("sip:a@example.com", "sip:b@example.com"))).isFalse();
        assertThat(p.archives(external("sip:a@example.com", "sip:b@partner.net"))).isTrue();

        ArchivingPolicies q = policies("policies.global.archiveExternal", "false");
        assertThat(q.archives(internal("sip:a@example.com", "sip:b@example.com"))).isTrue();
        assertThat(q.archives(external("sip:a@example.com", "sip:b@partner.net"))).isFalse();
    }

    @Test
    void aRecordIsArchivedWhenAnyParticipantArchivesIt() {
        ArchivingPolicies p = policies(
                "policies.global.archiveInternal", "false",
                "policies.user:sip:bob@example.com.archiveInternal", "true");
        assertThat(p.archives(internal("sip:alice@example.com", "sip:carol@example.com"))).isFalse();
        assertThat(p.archives(internal("sip:alice@example.com", "sip:bob@example.com"))).as("bob as recipient").isTrue();
        assertThat(p.archives(internal("sip:bob@example.com", "sip:carol@example.com"))).as("bob as sender").isTrue();
        assertThat(p.archives(internal("sip:alice@example.com", "sip:carol@example.com", "sip:dave@example.com", "sip:bob@example.com")))
                .as("bob as the last of several recipients").isTrue();
        assertThat(p.archives(record(false, "sip:alice@example.com"))).as("session event without recipients").isFalse();
        assertThat(p.archives(record(false, "sip:bob@example.com"))).isTrue();
    }

    @Test
    void everyParticipantExcludedMeansNotArchived() {
        ArchivingPolicies p = policies(
                "policies.domain:example.com.archiveExternal", "false",
                "policies.domain:partner.net.archiveExternal", "false");
        assertThat(p.archives(external("sip:alice@example.com", "sip:x@partner.net", "sip:y@partner.net"))).isFalse();
        assertThat(p.archives(external("sip:alice@example.com", "sip:x@partner.net", "sip:z@third.org"))).isTrue();
    }

    // ---- case folding ----

    @Test
    void domainsCompareCaseInsensitively() {
        ArchivingPolicies p = policies(
                "policies.domain:Example.COM.archiveInternal", "false",
                "policies.user:SIP:alice@EXAMPLE.com.archiveInternal", "true");
        assertThat(p.archivesFor("sip:bob@example.com", false)).isFalse();
        assertThat(p.archivesFor("sip:bob@EXAMPLE.com", false)).as("a participant's domain is folded too").isFalse();
        assertThat(p.archivesFor("sip:alice@example.com", false)).as("the user scope's domain is folded").isTrue();
        assertThat(p.archivesFor("sip:Alice@example.com", false)).as("the user part is compared as written").isFalse();
    }

    @Test
    void twoKeysForTheSameScopeAfterFoldingAreRefused() {
        assertThatThrownBy(() -> policies(
                "policies.domain:example.com.archiveInternal", "false",
                "policies.domain:EXAMPLE.com.archiveInternal", "true"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("policies.domain:example.com.archiveInternal")
                .hasMessageContaining("policies.domain:EXAMPLE.com.archiveInternal")
                .hasMessageContaining("keep one");
    }

    // ---- files ----

    @Test
    void aPropertiesFileWithEscapedColonsIsRead() throws Exception {
        Path file = dir.resolve("frontend.properties");
        Files.writeString(file, """
                policies.global.archiveExternal=false
                policies.domain\\:example.com.archiveInternal = false
                policies.user\\:sip\\:alice@example.com.archiveInternal=true
                """, StandardCharsets.UTF_8);
        ArchivingPolicies p = ArchivingPolicies.from(Config.load(file, Map.of()));
        assertThat(p.archivesFor("sip:bob@example.com", false)).isFalse();
        assertThat(p.archivesFor("sip:alice@example.com", false)).isTrue();
        assertThat(p.archivesFor("sip:x@partner.net", true)).isFalse();
        assertThat(p.archivesFor("sip:x@partner.net", false)).isTrue();
    }

    @Test
    void anUnescapedColonInAPropertiesFileIsRefusedWithTheEscapedKey() throws Exception {
        Path file = dir.resolve("frontend.properties");
        Files.writeString(file, "policies.domain:example.com.archiveExternal=false\n", StandardCharsets.UTF_8);
        Config config = Config.load(file, Map.of());
        assertThat(config.keysUnder("policies.")).as("what java.util.Properties makes of the line").containsExactly("policies.domain");
        assertThatThrownBy(() -> ArchivingPolicies.from(config))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("policies.domain")
                .hasMessageContaining("unescaped ':'")
                .hasMessageContaining("policies.domain\\:example.com.archiveExternal=false")
                .hasMessageContaining("YAML");
    }

    @Test
    void anUnescapedColonInAUserScopeIsRefusedWithBothColonsEscaped() throws Exception {
        Path file = dir.resolve("frontend.properties");
        Files.writeString(file, "policies.user:sip:alice@example.com.archiveInternal=false\n", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> ArchivingPolicies.from(Config.load(file, Map.of())))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("policies.user\\:sip\\:alice@example.com.archiveInternal=false");

        Files.writeString(file, "policies.user\\:sip:alice@example.com.archiveInternal=false\n", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> ArchivingPolicies.from(Config.load(file, Map.of())))
                .as("only the first colon escaped: the key ends at the second")
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unescaped ':'")
                .hasMessageContaining("policies.user\\:sip\\:alice@example.com.archiveInternal=false");
    }

    @Test
    void aYamlFileWithQuotedScopeKeysIsRead() throws Exception {
        Path file = dir.resolve("frontend.yml");
        Files.writeString(file, """
                http:
                  port: 0
                policies:
                  global:
                    archiveExternal: false
                  "domain:Example.com":
                    archiveInternal: false
                  "user:sip:alice@example.com":
                    archiveInternal: true
                    archiveExternal: true
                """, StandardCharsets.UTF_8);
        ArchivingPolicies p = ArchivingPolicies.from(Config.load(file, Map.of()));
        assertThat(p.archivesFor("sip:bob@example.com", false)).isFalse();
        assertThat(p.archivesFor("sip:bob@example.com", true)).isFalse();
        assertThat(p.archivesFor("sip:alice@example.com", false)).isTrue();
        assertThat(p.archivesFor("sip:alice@example.com", true)).isTrue();
        assertThat(p.archives(external("sip:bob@example.com", "sip:alice@example.com"))).isTrue();
        assertThat(p.archives(external("sip:bob@example.com", "sip:x@partner.net"))).isFalse();
    }

    @Test
    void yamlWithTheScopeNameAsANestedKeyIsRefusedWithAHint() throws Exception {
        Path file = dir.resolve("frontend.yaml");
        Files.writeString(file, """
                policies:
                  domain:
                    example.com:
                      archiveInternal: false
                """, StandardCharsets.UTF_8);
        assertThatThrownBy(() -> ArchivingPolicies.from(Config.load(file, Map.of())))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("policies.domain.example.com.archiveInternal")
                .hasMessageContaining("domain:example.com");
    }

    @Test
    void theEnvironmentOverridesTheValueOfAKeyTheFileHas() {
        Config config = Config.of(Map.of("policies.global.archiveExternal", "false"),
                Map.of("ARCHIVER_POLICIES_GLOBAL_ARCHIVE_EXTERNAL", "true"));
        assertThat(ArchivingPolicies.from(config).archivesFor("sip:x@partner.net", true)).isTrue();
    }

    // ---- bad keys ----

    @Test
    void anUnknownScopeFormIsRefused() {
        assertThatThrownBy(() -> policies("policies.site:redmond.archiveInternal", "false"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("policies.site:redmond.archiveInternal")
                .hasMessageContaining("unknown policy scope 'site:redmond'")
                .hasMessageContaining("global, domain:<domain> or user:<sip uri>");
        assertThatThrownBy(() -> policies("policies.Global.archiveInternal", "false"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("lower case");
    }

    @Test
    void anUnknownFlagIsRefused() {
        assertThatThrownBy(() -> policies("policies.global.archiveInternl", "false"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("policies.global.archiveInternl")
                .hasMessageContaining("archiveInternal or policies.<scope>.archiveExternal");
        assertThatThrownBy(() -> policies("policies.user:sip:alice@example.com", "false"))
                .as("a scope without a flag").isInstanceOf(ConfigException.class).hasMessageContaining("is not an archiving policy");
        assertThatThrownBy(() -> policies("policies.archiveInternal", "false"))
                .as("a flag without a scope").isInstanceOf(ConfigException.class).hasMessageContaining("is not an archiving policy");
    }

    @Test
    void aUserScopeThatIsNotASipUriIsRefused() {
        assertThatThrownBy(() -> policies("policies.user:alice@example.com.archiveInternal", "false"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'alice@example.com' is not a SIP URI")
                .hasMessageContaining("user:sip:alice@example.com");
        assertThatThrownBy(() -> policies("policies.user:sip:alice@exa_mple.com.archiveExternal", "false"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("is not a SIP URI");
    }

    @Test
    void aDomainScopeThatIsNotADomainIsRefused() {
        assertThatThrownBy(() -> policies("policies.domain:-bad-.com.archiveInternal", "false"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("'-bad-.com' is not a domain name");
        assertThatThrownBy(() -> policies("policies.domain:.archiveInternal", "false"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("is not a domain name");
    }

    @Test
    void aValueThatIsNotTrueOrFalseIsRefused() {
        assertThatThrownBy(() -> policies("policies.global.archiveInternal", "maybe"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("policies.global.archiveInternal")
                .hasMessageContaining("true or false");
        assertThatThrownBy(() -> policies("policies.global.archiveInternal", " "))
                .isInstanceOf(ConfigException.class).hasMessageContaining("has no value");
    }

    @Test
    void theFrontendRefusesToStartOnABadPolicyKey() throws Exception {
        Map<String, String> settings = FrontendFixture.settings(dir, FrontendFixture.freePort());
        settings.put("policies.domain", "example.com.archiveExternal=false");
        assertThatThrownBy(() -> FrontendService.start(FrontendFixture.config(settings)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("policies.domain\\:example.com.archiveExternal=false");
        assertThat(dir.resolve("spool")).as("nothing was started").doesNotExist();
    }
}
