package io.archiver.compliance.export;

import io.archiver.core.text.Plural;
import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.archiver.store.AuditLog;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compliance exports: the records of a query written as JSONL, CSV or EML into an empty directory,
 * with {@code manifest.json} (the query, when, who, each file with its records, bytes and SHA-256).
 *
 * <p>Streaming end to end: rows come from a server-side cursor ({@value ExportSelection#FETCH_SIZE} a
 * round trip, in a REPEATABLE READ transaction so the count shown as progress and the rows written are
 * the same snapshot), go straight to the format's writer and through a SHA-256 digest to the file; no
 * list of records is ever kept, so memory does not grow with the export (EML keeps only the distinct
 * participants of the conversation in progress).
 *
 * <p>Completion order: data files (each written under a temporary name, then fsynced and renamed, see
 * {@link OutputDir}), then, in one transaction, the {@code exported_at} marks (made along the way, see
 * {@link ExportMarker}) and the audit row; once every file is on disk the manifest is written, synced
 * and renamed into place, then that transaction commits. A crash before the rename leaves no manifest
 * (an incomplete export) and no marks; a failed commit removes the manifest again. A failed export is
 * audited too, with its error. The read runs in one REPEATABLE READ snapshot, which holds back vacuum
 * for as long as the export runs.
 */
public final class Exporter {

    private static final Logger log = LoggerFactory.getLogger(Exporter.class);
    private static final JsonFactory JSON = new JsonFactory();

    /** Told of progress: rows written so far, of {@code total} (counted first). */
    @FunctionalInterface
    public interface Progress {
        Progress NONE = (done, total) -> { };

        void update(long done, long total);
    }

    /** Limits of one {@code .eml} (a longer conversation continues in a part 2), and whether files are fsynced. */
    public record Options(int emlMaxRecords, long emlMaxChars, boolean sync) {
        public static final Options DEFAULTS = new Options(50_000, 64L * 1024 * 1024, true);
    }

    private final DataSource dataSource;
    private final Options options;

    public Exporter(DataSource dataSource) {
        this(dataSource, Options.DEFAULTS);
    }

    public Exporter(DataSource dataSource, Options options) {
        this.dataSource = dataSource;
        this.options = options;
    }

    /**
     * Exports {@code query} into {@code out} (created if need be; refused unless empty) on behalf of
     * {@code actor}. {@code cancelled} is polled between batches of rows.
     */
    public ExportResult export(ExportQuery query, Path out, String actor, Progress progress, BooleanSupplier cancelled)
            throws ExportException {
        Instant startedAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        long[] records = {0};
        OutputDir dir = OutputDir.create(out, options.sync());
        ExportSink sink = null;
        try (dir) {
            try (Connection read = dataSource.getConnection(); Connection finish = dataSource.getConnection()) {
                read.setAutoCommit(false);
                read.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                read.setReadOnly(true);
                finish.setAutoCommit(false);
                try {
                    ExportSelection selection = new ExportSelection(query);
                    long total = selection.count(read);
                    progress.update(0, total);
                    ExportSink s = sink = sink(query.format(), dir);
                    ExportMarker marker = query.markExported() ? new ExportMarker(finish) : null;
                    selection.forEach(read, s.order(), row -> {
                        s.write(row);
                        if (marker != null) {
                            marker.add(row.record().id(), row.record().sentAt());
                        }
                        if (++records[0] % ExportSelection.FETCH_SIZE == 0) {
                            progress.update(records[0], Math.max(total, records[0]));
                            if (cancelled.getAsBoolean()) {
                                throw new ExportException("export cancelled after " + Plural.of(records[0], "record"));
                            }
                        }
                    });
                    s.finish();
                    read.commit();
                    Long marked = marker == null ? null : marker.flush();
                    progress.update(records[0], records[0]);
                    Instant finishedAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
                    Path temp = dir.writeManifest(o -> manifest(o, query, actor, startedAt, finishedAt, records[0], marked, dir));
                    String manifestSha = sha256(temp);
                    Map<String, Object> result = new LinkedHashMap<>();
                    result.put("records", records[0]);
                    result.put("files", dir.fileCount());
                    result.put("bytes", dir.bytes());
                    if (marked != null) {
                        result.put("markedExported", marked);
                    }
                    result.put("manifestSha256", manifestSha);
                    AuditLog.record(finish, actor, "export", auditParameters(query, out), result);
                    Path manifest = dir.publishManifest(temp);
                    try {
                        finish.commit();
                    } catch (SQLException e) {
                        dir.unpublishManifest();
                        throw e;
                    }
                    return new ExportResult(records[0], dir.fileCount(), dir.bytes(), marked, manifest, manifestSha,
                            startedAt, finishedAt, dir.firstFiles());
                } catch (Exception e) {
                    rollbackQuietly(read);
                    rollbackQuietly(finish);
                    throw e;
                }
            }
        } catch (ExportException | SQLException | IOException | RuntimeException e) {
            if (sink != null) {
                sink.abandon();
            }
            auditFailure(query, out, actor, records[0], e);
            if (e instanceof ExportException export) {
                throw export;
            }
            throw new ExportException("export failed after " + Plural.of(records[0], "record") + ": " + e.getMessage(), e);
        }
    }

    private ExportSink sink(ExportFormat format, OutputDir dir) throws IOException {
        return switch (format) {
            case JSONL -> new JsonlSink(dir);
            case CSV -> new CsvSink(dir);
            case EML -> new EmlSink(dir, options.emlMaxRecords(), options.emlMaxChars());
        };
    }

    /** {@code manifest.json}: the query, when, who, the totals, then every file (streamed from the output directory's spool). */
    private static void manifest(OutputStream out, ExportQuery query, String actor, Instant startedAt, Instant finishedAt,
                                 long records, Long marked, OutputDir dir) throws IOException {
        try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeNumberField("manifestVersion", 1);
            g.writeObjectFieldStart("query");
            g.writeStringField("from", query.from().toString());
            g.writeStringField("to", query.to().toString());
            g.writeArrayFieldStart("participants");
            for (String p : query.participants()) {
                g.writeString(p);
            }
            g.writeEndArray();
            g.writeArrayFieldStart("conversations");
            for (String c : query.conversations()) {
                g.writeString(c);
            }
            g.writeEndArray();
            g.writeStringField("format", query.format().wireName());
            g.writeBooleanField("markExported", query.markExported());
            g.writeEndObject();
            g.writeStringField("actor", actor);
            g.writeStringField("startedAt", startedAt.toString());
            g.writeStringField("finishedAt", finishedAt.toString());
            g.writeNumberField("records", records);
            if (marked != null) {
                g.writeNumberField("markedExported", marked);
            }
            g.writeNumberField("fileCount", dir.fileCount());
            g.writeArrayFieldStart("files");
            dir.writeFileEntries(g);
            g.writeEndArray();
            g.writeEndObject();
            g.writeRaw('\n');
        }
    }

    static String sha256(Path file) throws IOException {
        MessageDigest digest = HashingOutputStream.sha256();
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static Map<String, Object> auditParameters(ExportQuery query, Path out) {
        Map<String, Object> parameters = new LinkedHashMap<>(query.asMap());
        parameters.put("out", out.toAbsolutePath().normalize().toString());
        return parameters;
    }

    private void auditFailure(ExportQuery query, Path out, String actor, long records, Exception e) {
        try {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("error", String.valueOf(e.getMessage()));
            result.put("recordsWritten", records);
            new AuditLog(dataSource).record(actor, "export", auditParameters(query, out), result);
        } catch (SQLException | RuntimeException auditError) {
            log.warn("could not audit the failed export to {}: {}", out, auditError.toString());
        }
    }

    private static void rollbackQuietly(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException ignored) {
            // the connection is going back to the pool or away
        }
    }
}
