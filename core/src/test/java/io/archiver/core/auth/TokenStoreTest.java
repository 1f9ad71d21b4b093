package io.archiver.core.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.archiver.core.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenStoreTest {

    @TempDir
    Path dir;

    @Test
    void readsTokensRolesAndNames() throws Exception {
        Path file = dir.resolve("tokens");
        Files.writeString(file, "# lab tokens\nt-ingest ingest fe-writer\nt-audit auditor\n\nt-admin ADMIN boss\n");
        TokenStore tokens = TokenStore.load(file);
        assertThat(tokens.find("t-ingest")).contains(new Principal("fe-writer", Role.INGEST));
        assertThat(tokens.find("t-audit")).contains(new Principal("auditor@line3", Role.AUDITOR));
        assertThat(tokens.find("t-admin").orElseThrow().role().grants(Role.AUDITOR)).isTrue();
        assertThat(Role.ADMIN.grants(Role.INGEST)).isFalse();
        assertThat(tokens.find("nope")).isEmpty();
    }

    @Test
    void badLinesSayWhere() throws Exception {
        Path file = dir.resolve("tokens");
        Files.writeString(file, "t1 ingest\nt2 superuser\n");
        assertThatThrownBy(() -> TokenStore.load(file)).isInstanceOf(ConfigException.class).hasMessageContaining("line 2").hasMessageContaining("superuser");
    }
}
