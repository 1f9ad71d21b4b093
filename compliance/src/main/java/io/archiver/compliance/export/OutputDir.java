package io.archiver.compliance.export;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The export directory. Every file is written under a hidden temporary name ({@code .NAME.tmp}) and
 * renamed to its name only once it is complete and on disk (fsync), so a file with its final name is
 * always whole; the manifest comes last, so an export without {@code manifest.json} is not complete.
 * The entries of finished files go to a spool on disk, not to a list in memory: an EML export of a
 * million conversations lists a million files.
 */
final class OutputDir implements AutoCloseable {

    static final String MANIFEST = "manifest.json";
    private static final String FILES_SPOOL = ".files.jsonl.tmp";
    private static final JsonFactory JSON = new JsonFactory();
    private static final int BUFFER = 64 * 1024;

    private final Path dir;
    private final Path spoolPath;
    private final JsonGenerator spool;
    private final List<ExportFile> firstFiles = new ArrayList<>();
    private final boolean sync;
    static final int SYNCS_IN_FLIGHT = 64;
    /** fsync and rename of completed files, off the writing thread; null without sync. */
    private final ExecutorService syncer;
    private final Semaphore inFlight = new Semaphore(SYNCS_IN_FLIGHT);
    private final AtomicReference<Throwable> syncFailure = new AtomicReference<>();
    private long fileCount;
    private long bytes;
    private Open current;

    /** An open file: write to {@link #out()}, then {@link OutputDir#complete}. */
    final class Open {
        private final String name;
        private final Path temp;
        private final FileOutputStream file;
        private final HashingOutputStream hashing;
        private final OutputStream out;

        private Open(String name) throws IOException {
            this.name = name;
            this.temp = dir.resolve("." + name + ".tmp");
            this.file = new FileOutputStream(temp.toFile());
            this.hashing = new HashingOutputStream(file);
            this.out = new BufferedOutputStream(hashing, BUFFER);
        }

        OutputStream out() {
            return out;
        }

        String name() {
            return name;
        }
    }

    private OutputDir(Path dir, boolean sync) throws IOException {
        this.dir = dir;
        this.sync = sync;
        this.syncer = sync ? Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "export-fsync");
            t.setDaemon(true);
            return t;
        }) : null;
        this.spoolPath = dir.resolve(FILES_SPOOL);
        this.spool = JSON.createGenerator(Files.newOutputStream(spoolPath));
        this.spool.setRootValueSeparator(null);
    }

    /** Creates {@code dir} if need be; refuses one that holds anything. */
    static OutputDir create(Path dir, boolean sync) throws ExportException {
        try {
            if (Files.exists(dir) && !Files.isDirectory(dir)) {
                throw new ExportException("output directory " + dir + " is a file, not a directory");
            }
            Files.createDirectories(dir);
            String entry = firstEntry(dir);
            if (entry != null) {
                throw new ExportException("output directory " + dir + " is not empty (it holds " + entry
                        + "): an export goes into a new or empty directory");
            }
            return new OutputDir(dir, sync);
        } catch (IOException e) {
            throw new ExportException("cannot use output directory " + dir + ": " + e, e);
        }
    }

    /** The name of something in {@code dir}, or null when it is empty (or does not exist). */
    static String firstEntry(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return null;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                return p.getFileName().toString();
            }
        }
        return null;
    }

    Path path() {
        return dir;
    }

    /** Opens {@code base + extension}, or {@code base-2 + extension} and so on when the name is taken. */
    Open open(String base, String extension) throws IOException {
        if (current != null) {
            throw new IllegalStateException("one file at a time: " + current.name + " is still open");
        }
        String name = base + extension;
        for (int n = 2; Files.exists(dir.resolve(name)) || Files.exists(dir.resolve("." + name + ".tmp")); n++) {
            name = base + "-" + n + extension;
        }
        current = new Open(name);
        return current;
    }

    /**
     * Completes the open file and lists it for the manifest: flushed, then synced to disk and renamed to
     * its name. With sync on, the fsync and rename run on a few background threads (at most
     * {@value #SYNCS_IN_FLIGHT} files at a time) so that an EML export of many small files does not wait
     * for the disk once per file; {@link #writeManifest} waits for all of them first.
     */
    ExportFile complete(Open open, long records) throws IOException {
        open.out.flush();
        current = null;
        ExportFile entry = new ExportFile(open.name, records, open.hashing.bytes(), open.hashing.sha256Hex());
        Path target = dir.resolve(open.name);
        if (syncer == null) {
            open.file.close();
            move(open.temp, target);
        } else {
            failedSync();
            try {
                inFlight.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for files to reach the disk");
            }
            syncer.execute(() -> {
                try (open.file) {
                    open.file.getFD().sync();
                    open.file.close();
                    move(open.temp, target);
                } catch (IOException | RuntimeException e) {
                    syncFailure.compareAndSet(null, e);
                } finally {
                    inFlight.release();
                }
            });
        }
        spool.writeStartObject();
        spool.writeStringField("name", entry.name());
        spool.writeNumberField("records", entry.records());
        spool.writeNumberField("bytes", entry.bytes());
        spool.writeStringField("sha256", entry.sha256());
        spool.writeEndObject();
        spool.writeRaw('\n');
        fileCount++;
        bytes += entry.bytes();
        if (firstFiles.size() < 20) {
            firstFiles.add(entry);
        }
        return entry;
    }

    /** Waits until every completed file is synced and renamed; the first failure of any of them is thrown. */
    void awaitFiles() throws IOException {
        if (syncer == null) {
            return;
        }
        try {
            inFlight.acquire(SYNCS_IN_FLIGHT);
            inFlight.release(SYNCS_IN_FLIGHT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for files to reach the disk");
        }
        failedSync();
    }

    private void failedSync() throws IOException {
        Throwable failure = syncFailure.get();
        if (failure != null) {
            throw new IOException("writing an export file failed: " + failure.getMessage(), failure);
        }
    }

    long fileCount() {
        return fileCount;
    }

    long bytes() {
        return bytes;
    }

    /** The first files completed (at most 20), for a summary. */
    List<ExportFile> firstFiles() {
        return List.copyOf(firstFiles);
    }

    /** Copies the completed files' entries, in order, as JSON objects into the manifest's {@code files} array. */
    void writeFileEntries(JsonGenerator out) throws IOException {
        spool.flush();
        try (BufferedReader reader = Files.newBufferedReader(spoolPath, StandardCharsets.UTF_8)) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                try (JsonParser parser = JSON.createParser(line)) {
                    parser.nextToken();
                    out.copyCurrentStructure(parser);
                }
            }
        }
    }

    /** Writes the manifest under a temporary name and syncs it; {@link #publishManifest} renames it. */
    Path writeManifest(ManifestWriter writer) throws IOException {
        awaitFiles();
        Path temp = dir.resolve("." + MANIFEST + ".tmp");
        try (FileOutputStream file = new FileOutputStream(temp.toFile());
             OutputStream out = new BufferedOutputStream(file, BUFFER)) {
            writer.write(out);
            out.flush();
            if (sync) {
                file.getFD().sync();
            }
        }
        return temp;
    }

    @FunctionalInterface
    interface ManifestWriter {
        void write(OutputStream out) throws IOException;
    }

    /** Renames the written manifest to {@code manifest.json}: from here on the export is complete. */
    Path publishManifest(Path temp) throws IOException {
        Path manifest = dir.resolve(MANIFEST);
        move(temp, manifest);
        if (sync) {
            syncDirectory();
        }
        return manifest;
    }

    void unpublishManifest() {
        try {
            Files.deleteIfExists(dir.resolve(MANIFEST));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Removes the open temporary file, if any (after a failure). */
    void abandon() {
        if (current != null) {
            try {
                current.out.close();
            } catch (IOException ignored) {
                // removing it anyway
            }
            try {
                Files.deleteIfExists(current.temp);
            } catch (IOException ignored) {
                // best effort
            }
            current = null;
        }
    }

    private void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    private void syncDirectory() {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // not every platform can open a directory; the files themselves are synced
        }
    }

    @Override
    public void close() {
        abandon();
        if (syncer != null) {
            syncer.shutdown();
            try {
                syncer.awaitTermination(1, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            spool.close();
        } catch (IOException ignored) {
            // deleting it next
        }
        try {
            Files.deleteIfExists(spoolPath);
        } catch (IOException ignored) {
            // a hidden leftover at worst
        }
    }
}
