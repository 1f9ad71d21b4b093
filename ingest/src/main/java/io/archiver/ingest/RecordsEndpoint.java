package io.archiver.ingest;

import io.archiver.core.auth.Role;
import io.archiver.core.http.ApiException;
import io.archiver.core.http.BearerAuth;
import io.archiver.core.record.ArchiveRecord;
import io.archiver.core.record.FieldError;
import io.archiver.core.record.MalformedBodyException;
import io.archiver.core.record.ParsedBatch;
import io.archiver.core.record.RecordParser;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/records} (contract section 3): checks the token, the content type, the limits and every
 * record, then spools the whole request at once. It answers 202 only after the spool committed, and
 * refuses the whole request, spooling nothing, when anything is wrong.
 * <p>
 * Records the {@link ArchivingPolicies} exclude are not spooled (so never archived) but still count in
 * {@code {"accepted": N}}, which is every record of the request, and in
 * {@code archiver_records_skipped_policy_total}. A request whose records are all excluded spools nothing
 * and still answers 202.
 */
final class RecordsEndpoint implements Handler {

    private static final Logger log = LoggerFactory.getLogger(RecordsEndpoint.class);

    private final BearerAuth auth;
    private final RecordParser parser = new RecordParser();
    private final IntakeGate gate;
    private final SpoolCapacity capacity;
    private final SpoolWriter writer;
    private final FrontendMetrics metrics;
    private final ArchivingPolicies policies;
    private final int maxRecords;
    private final int maxBytes;

    RecordsEndpoint(BearerAuth auth, IntakeGate gate, SpoolCapacity capacity, SpoolWriter writer, FrontendMetrics metrics,
                    ArchivingPolicies policies, int maxRecords, int maxBytes) {
        this.auth = auth;
        this.gate = gate;
        this.capacity = capacity;
        this.writer = writer;
        this.metrics = metrics;
        this.policies = policies;
        this.maxRecords = maxRecords;
        this.maxBytes = maxBytes;
    }

    @Override
    public void handle(Context ctx) {
        try {
            int accepted = accept(ctx);
            metrics.accepted(accepted);
            ctx.status(202).json(Map.of("accepted", accepted));
        } catch (ApiException e) {
            metrics.refused(e.status());
            throw e;
        } catch (RuntimeException e) {
            metrics.refused(500);
            throw e;
        }
    }

    private int accept(Context ctx) {
        // Milliseconds, as the spool message carries it: the archive node re-validates "at most 5
        // minutes in the future" against this same instant, so both must see exactly the same one.
        Instant receivedAt = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        auth.require(ctx, Role.INGEST);
        BodyFormat format = BodyFormat.of(ctx.header("Content-Type"));
        gate.refusal().ifPresent(refusal -> {
            throw unavailable(refusal);
        });

        ParsedBatch batch = parse(format, readBody(ctx), receivedAt);
        if (batch.size() > maxRecords) {
            throw new ApiException(413, "request has " + batch.size() + " records; at most " + maxRecords
                    + " are accepted per request (ingest.maxRecords): split it into smaller requests");
        }
        if (batch.size() == 0) {
            throw new ApiException(400, "request has no records; nothing was spooled",
                    List.of(new FieldError(0, "", "send a record object, or an array with at least one")), Map.of());
        }
        if (!batch.allValid()) {
            throw new ApiException(400, batch.rejected().size() + " of " + batch.size()
                    + " records are invalid; the whole request was refused and nothing was spooled", batch.errors(), Map.of());
        }

        int[] kept = archived(batch);
        int skipped = batch.records().size() - (kept == null ? batch.records().size() : kept.length);
        if (skipped == batch.records().size()) {
            metrics.skippedByPolicy(skipped);
            return batch.size();
        }
        SpoolBatch spoolBatch = kept == null ? SpoolBatch.of(batch) : SpoolBatch.of(batch, kept);
        long size = SpoolCapacity.sizeOf(spoolBatch);
        try (SpoolCapacity.Reservation reservation = capacity.tryReserve(size).orElseThrow(() -> unavailable(gate.full(size)))) {
            writer.spool(spoolBatch, receivedAt);
            reservation.spooled();
        } catch (SpoolWriteException e) {
            log.error("spooling {} record(s) failed", spoolBatch.records(), e);
            throw unavailable(new IntakeGate.Refusal(e.getMessage() + "; nothing was spooled, send the request again",
                    IntakeGate.RETRY_AFTER_SPOOL_ERROR_SECONDS));
        }
        if (skipped > 0) {
            metrics.skippedByPolicy(skipped);
        }
        return batch.size();
    }

    /** The indices of the records the policies archive, or null when they archive all of them. */
    private int[] archived(ParsedBatch batch) {
        if (policies.archivesEverything()) {
            return null;
        }
        List<ArchiveRecord> records = batch.records();
        int[] kept = new int[records.size()];
        int count = 0;
        for (int i = 0; i < records.size(); i++) {
            if (policies.archives(records.get(i))) {
                kept[count++] = i;
            }
        }
        return count == records.size() ? null : Arrays.copyOf(kept, count);
    }

    private byte[] readBody(Context ctx) {
        try (InputStream in = ctx.req().getInputStream()) {
            return BoundedBody.read(ctx.req().getContentLengthLong(), in, maxBytes);
        } catch (IOException e) {
            throw new UncheckedIOException("reading the request body failed: " + e.getMessage(), e);
        }
    }

    private ParsedBatch parse(BodyFormat format, byte[] body, Instant receivedAt) {
        try {
            return format == BodyFormat.JSON ? parser.parseJson(body, receivedAt) : parser.parseNdjson(body, receivedAt);
        } catch (MalformedBodyException e) {
            throw new ApiException(400, e.getMessage() + "; the whole request was refused and nothing was spooled",
                    List.of(new FieldError(Math.max(0, e.index()), "", e.getMessage())), Map.of());
        }
    }

    private static ApiException unavailable(IntakeGate.Refusal refusal) {
        return new ApiException(503, refusal.reason(), List.of(),
                Map.of("Retry-After", Integer.toString(refusal.retryAfterSeconds())));
    }
}
