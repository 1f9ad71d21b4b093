package io.archiver.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.archiver.lab.LabCluster;
import io.archiver.app.send.RecordSender;
import io.archiver.app.support.Db;
import io.archiver.app.support.Records;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole path in one JVM over real TCP: two front-ends with their own Artemis spools, core bridges
 * to the archive broker, the archiving consumer, a real PostgreSQL.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ArchivingPathTest {

    @TempDir
    static Path dir;

    private LabCluster lab;
    private Db db;
    private List<RecordSender> frontends;

    @BeforeAll
    void startTopology() throws Exception {
        lab = LabCluster.start(dir, 2, Map.of());
        db = new Db(lab.postgres().jdbcUrl());
        frontends = lab.frontendUrls().stream()
                .map(url -> new RecordSender(url, lab.tokens().token("ingest"), Duration.ofSeconds(60))).toList();
    }

    @AfterAll
    void stopTopology() throws Exception {
        lab.close();
    }

    @Test
    void twentyThousandRecordsOverBothFrontendsAreArchivedExactlyOnce() throws Exception {
        Records records = new Records("e2e");
        List<byte[]> batches = records.batches(20_000, 500);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<Integer>> answers = new ArrayList<>();
        for (int i = 0; i < batches.size(); i++) {
            byte[] body = batches.get(i);
            RecordSender target = frontends.get(i % 2);
            answers.add(pool.submit(() -> target.send(body)));
        }
        long accepted = 0;
        for (Future<Integer> answer : answers) {
            accepted += answer.get();
        }
        pool.shutdown();
        assertThat(accepted).isEqualTo(20_000);

        await().atMost(Duration.ofSeconds(120)).until(() -> db.rowsWithPrefix(records.prefix()) >= 20_000);
        assertThat(db.rowsWithPrefix(records.prefix())).isEqualTo(20_000);
        assertThat(db.count("SELECT count(DISTINCT frontend) FROM archive.messages WHERE record_id LIKE ?", records.prefix() + "%"))
                .isEqualTo(2);
        assertThat(db.count("SELECT count(*) FROM archive.conflicts WHERE record_id LIKE ?", records.prefix() + "%")).isZero();
        assertThat(db.count("SELECT count(*) FROM archive.dead_letters")).isZero();
    }

    @Test
    void retriesAreNoOpsAndADifferentRecordUnderAnUsedIdIsAConflict() throws Exception {
        Records records = new Records("retry");
        byte[] batch = records.batches(300, 300).get(0);
        frontends.get(0).send(batch);
        frontends.get(1).send(batch);
        frontends.get(0).send(batch);
        await().atMost(Duration.ofSeconds(60)).until(() -> db.rowsWithPrefix(records.prefix()) >= 300);
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(10))
                .until(() -> lab.inFlightMessages() == 0 && db.rowsWithPrefix(records.prefix()) == 300);
        assertThat(db.count("SELECT count(*) FROM archive.conflicts WHERE record_id LIKE ?", records.prefix() + "%")).isZero();

        String id = records.prefix() + "1";
        String original = new String(batch, StandardCharsets.UTF_8).lines().filter(l -> l.contains("\"" + id + "\"")).findFirst().orElseThrow();
        String changed = original.replaceFirst("\"external\":(true|false)", "\"external\":" + !original.contains("\"external\":true"));
        frontends.get(1).send(changed.getBytes(StandardCharsets.UTF_8));
        await().atMost(Duration.ofSeconds(30)).until(() ->
                db.count("SELECT count(*) FROM archive.conflicts WHERE record_id = ?", id) == 1);
        assertThat(db.rowsWithPrefix(records.prefix())).isEqualTo(300);
        boolean externalNow = db.count("SELECT count(*) FROM archive.messages WHERE record_id = ? AND external", id) == 1;
        assertThat(externalNow).as("the first record stays").isEqualTo(original.contains("\"external\":true"));

        // the same conflicting record again is not counted twice
        frontends.get(0).send(changed.getBytes(StandardCharsets.UTF_8));
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(10)).until(() -> lab.inFlightMessages() == 0);
        assertThat(db.count("SELECT count(*) FROM archive.conflicts WHERE record_id = ?", id)).isEqualTo(1);
    }
}
