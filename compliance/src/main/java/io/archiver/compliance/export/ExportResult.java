package io.archiver.compliance.export;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * What an export wrote: records, files and bytes, how many rows it marked exported (null without
 * {@code markExported}), the manifest and its SHA-256, and the first files (at most 20; the manifest lists all).
 */
public record ExportResult(long records, long files, long bytes, Long markedExported, Path manifest, String manifestSha256,
                           Instant startedAt, Instant finishedAt, List<ExportFile> firstFiles) {
}
