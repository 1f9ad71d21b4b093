package io.archiver.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.archiver.core.config.Config;
import io.archiver.store.Database;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DatabaseHostsTest {

    @Test
    void readsEveryServerOfAMultiHostUrlInOrder() {
        DatabaseHosts hosts = DatabaseHosts.parse("jdbc:postgresql://db1:5433,db2,[::1]:5434/archive?targetServerType=primary&ssl=true");

        assertThat(hosts.hosts()).containsExactly(new DatabaseHosts.Host("db1", 5433), new DatabaseHosts.Host("db2", 5432),
                new DatabaseHosts.Host("::1", 5434));
        assertThat(hosts.hosts().get(2)).hasToString("[::1]:5434");
        assertThat(hosts.database()).isEqualTo("archive");
        assertThat(hosts.targetsPrimary()).isTrue();
    }

    @Test
    void aProbeUrlNamesOneServerWithShortTimeoutsAndKeepsSslSettings() {
        DatabaseHosts hosts = DatabaseHosts.parse("jdbc:postgresql://db1:5433,db2:5432/archive?targetServerType=primary&sslmode=require");

        assertThat(hosts.singleHostUrl(hosts.hosts().get(1), 2)).isEqualTo("jdbc:postgresql://db2:5432/archive?connectTimeout=2"
                + "&loginTimeout=2&socketTimeout=3&ApplicationName=archiver-cluster-probe&sslmode=require");
    }

    @Test
    void withoutTargetServerTypeTheUrlDoesNotAskForThePrimary() {
        assertThat(DatabaseHosts.parse("jdbc:postgresql://db1/archive").targetsPrimary()).isFalse();
        assertThat(DatabaseHosts.parse("jdbc:postgresql://db1,db2/archive?targetServerType=master").targetsPrimary()).isTrue();
    }

    @Test
    void refusesWhatIsNotAPostgresUrl() {
        assertThatThrownBy(() -> DatabaseHosts.parse("jdbc:mysql://db1/archive")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("jdbc:postgresql://");
        assertThatThrownBy(() -> DatabaseHosts.parse("jdbc:postgresql://db1:x/archive")).hasMessageContaining("bad port");
    }

    @Test
    void aPoolOnTwoServersWithoutTargetServerTypeIsRefusedWithTheFix() {
        Config config = Config.of(Map.of("db.url", "jdbc:postgresql://db1:5432,db2:5432/archive"));

        assertThatThrownBy(() -> Database.open(config, "test")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("targetServerType=primary");
    }
}
