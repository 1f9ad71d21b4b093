package io.archiver.cluster.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import io.archiver.cluster.ClusterService;
import io.archiver.cluster.failover.FailoverWatchJob;
import io.archiver.cluster.failover.FailoverSettings;
import io.archiver.cluster.failover.HostProbe;
import io.archiver.cluster.schedule.SchedulerOptions;
import io.archiver.core.config.Config;
import io.archiver.core.metrics.Metrics;
import io.archiver.store.ArchiveWriter;
import io.archiver.store.Database;
import io.archiver.store.DatabaseSettings;
import io.archiver.store.Migrations;
import io.archiver.store.testing.EmbeddedPostgresExtension;
import io.archiver.store.testing.Sql;
import io.archiver.store.testing.TestRecords;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The one-page status against a real PostgreSQL: conflicts, nodes that aged out or were forgotten, the database watch. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterStatusTest {

    @RegisterExtension
    static final EmbeddedPostgresExtension PG = new EmbeddedPostgresExtension();

    private Config config;
    private HikariDataSource dataSource;
    private ClusterStatus status;

    @BeforeAll
    void start() {
        config = PG.config(PG.createDatabase());
        dataSource = Database.open(config, "test");
        Migrations.migrate(dataSource);
        status = new ClusterStatus(dataSource, HostProbe.of(DatabaseSettings.from(config), 2));
    }

    @AfterAll
    void stop() {
        dataSource.close();
    }

    @BeforeEach
    void empty() {
        Sql.execute(dataSource, "TRUNCATE archive.messages, archive.message_ids, archive.conflicts, archive.nodes RESTART IDENTITY");
    }

    @Test
    void countsTheConflictsAndTheLatest() throws Exception {
        Map<?, ?> none = (Map<?, ?>) status.read().get("conflicts");
        assertThat(none.get("count")).isEqualTo(0L);
        assertThat(none.get("latest")).isNull();
        ArchiveWriter writer = new ArchiveWriter(dataSource);
        for (String id : List.of("c-1", "c-2")) {
            writer.write(List.of(TestRecords.incoming(TestRecords.message(id, "first"))));
            assertThat(writer.write(List.of(TestRecords.incoming(TestRecords.message(id, "second")))).conflicts()).isEqualTo(1);
        }
        Map<?, ?> conflicts = (Map<?, ?>) status.read().get("conflicts");
        assertThat(conflicts.get("count")).isEqualTo(2L);
        Instant latest = Instant.parse((String) conflicts.get("latest"));
        assertThat(latest).isBetween(Instant.now().minusSeconds(60), Instant.now().plusSeconds(1));
        assertThat(Sql.number(dataSource, "SELECT count(*) FROM archive.conflicts WHERE detected_at = '" + latest + "'")).isEqualTo(1);
    }

    @Test
    void aNodeUnseenForADayIsNoLongerListed() throws Exception {
        node("long-gone", Duration.ofHours(25));
        node("recently-down", Duration.ofHours(1));
        node("up", Duration.ZERO);
        List<?> nodes = (List<?>) status.read().get("archiveNodes");
        assertThat(nodes.stream().map(n -> (Object) ((Map<?, ?>) n).get("name")).toList()).containsExactly("recently-down", "up");
        assertThat(nodes.stream().map(n -> (Object) ((Map<?, ?>) n).get("alive")).toList()).containsExactly(false, true);
        // The row itself stays (the node may come back); only the page leaves it out.
        assertThat(Sql.number(dataSource, "SELECT count(*) FROM archive.nodes")).isEqualTo(3);
    }

    @Test
    void forgetsADownNodeButNotOneThatIsUp() throws Exception {
        node("recently-down", Duration.ofHours(1));
        node("up", Duration.ZERO);
        try (Connection connection = dataSource.getConnection()) {
            assertThat(ClusterStatus.forget(connection, "up")).isEqualTo(ClusterStatus.Forgotten.ALIVE);
            assertThat(ClusterStatus.forget(connection, "nobody")).isEqualTo(ClusterStatus.Forgotten.UNKNOWN);
            assertThat(ClusterStatus.forget(connection, "recently-down")).isEqualTo(ClusterStatus.Forgotten.FORGOTTEN);
        }
        assertThat(((List<?>) status.read().get("archiveNodes")).stream().map(n -> (Object) ((Map<?, ?>) n).get("name")).toList())
                .containsExactly("up");
    }

    @Test
    void theDatabaseWatchRunningOnALiveNodeIsWatchingNotBlocked() {
        try (ClusterService cluster = ClusterService.start(FailoverSettings.from(config), SchedulerOptions.from(config, "node-w"),
                DatabaseSettings.from(config), Metrics.newRegistry("node", "node-w"))) {
            String name = FailoverWatchJob.KEY.getGroup() + "." + FailoverWatchJob.KEY.getName();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                Map<?, ?> watch = job(name);
                assertThat(watch.get("state")).isEqualTo(ClusterStatus.WATCHING);
                assertThat(watch.get("triggerState")).isEqualTo("BLOCKED");
                assertThat((String) watch.get("runningOn")).isEqualTo(cluster.scheduler().instanceId());
            });
        }
        // Once the node stopped, nothing runs it: Quartz's state again.
        assertThat(job(FailoverWatchJob.KEY.getGroup() + "." + FailoverWatchJob.KEY.getName()).get("state"))
                .isNotEqualTo(ClusterStatus.WATCHING);
    }

    @Test
    void onlyTheWatchJobIsRenamed() {
        assertThat(ClusterStatus.state("archiver", "database-watch", "BLOCKED", true)).isEqualTo("running (watching)");
        assertThat(ClusterStatus.state("archiver", "database-watch", "BLOCKED", false)).isEqualTo("BLOCKED");
        assertThat(ClusterStatus.state("retention", "purge", "BLOCKED", true)).isEqualTo("BLOCKED");
    }

    private Map<?, ?> job(String name) {
        return ((List<?>) status.read().get("scheduledJobs")).stream().map(j -> (Map<?, ?>) j)
                .filter(j -> name.equals(j.get("name"))).findFirst().orElseThrow();
    }

    private void node(String name, Duration ago) {
        Sql.execute(dataSource, "INSERT INTO archive.nodes (name, http_url, broker_url, pid, started_at, last_seen, queue_depth) "
                + "VALUES ('" + name + "', 'http://127.0.0.1:1', 'tcp://127.0.0.1:2', 1, now() - interval '" + (ago.toSeconds() + 60)
                + " seconds', now() - interval '" + ago.toSeconds() + " seconds', 0)");
    }
}
