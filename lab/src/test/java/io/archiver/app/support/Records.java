package io.archiver.app.support;

import io.archiver.lab.ImTrafficModel;
import io.archiver.core.record.ArchiveRecord;
import io.archiver.core.record.RecordJson;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Realistic records in NDJSON request bodies, with a run prefix to count them by. */
public final class Records {

    private final ImTrafficModel model;

    public Records(String prefix) {
        this.model = new ImTrafficModel(prefix + "-" + UUID.randomUUID().toString().substring(0, 8), 11, 60);
    }

    public String prefix() {
        return model.runId() + "-";
    }

    public List<byte[]> batches(int records, int perBatch) {
        List<ArchiveRecord> all = model.next(records, Instant.now());
        List<byte[]> bodies = new ArrayList<>();
        for (int i = 0; i < all.size(); i += perBatch) {
            bodies.add(RecordJson.toNdjson(all.subList(i, Math.min(all.size(), i + perBatch))));
        }
        return bodies;
    }
}
