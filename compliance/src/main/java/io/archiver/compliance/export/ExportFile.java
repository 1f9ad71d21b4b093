package io.archiver.compliance.export;

/** One file of an export as the manifest lists it: its name in the export directory, records, size and SHA-256 (hex). */
public record ExportFile(String name, long records, long bytes, String sha256) {
}
