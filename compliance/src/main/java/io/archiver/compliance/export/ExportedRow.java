package io.archiver.compliance.export;

import io.archiver.core.record.ArchiveRecord;
import java.time.Instant;

/** One archived row as exports see it: the record and where and when the archive got it. */
public record ExportedRow(ArchiveRecord record, String frontend, Instant receivedAt, Instant archivedAt) {
}
