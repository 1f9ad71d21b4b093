package io.archiver.compliance.export;

import jakarta.activation.DataSource;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Bytes held in memory up to {@code limit}, then spilled to {@code file}: the text of the conversation in
 * progress, which is usually small (no file at all: creating and removing two files per conversation
 * measured as the main cost of an EML export on ext4) and occasionally huge (then on disk, never more
 * than {@code limit} on the heap). Reused from one conversation to the next.
 */
final class Spool extends OutputStream {

    private final Path file;
    private final int limit;
    private byte[] buffer = new byte[16 * 1024];
    private int count;
    private OutputStream spill;

    Spool(Path file, int limit) {
        this.file = file;
        this.limit = limit;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (spill == null && count + len > limit) {
            spill = new BufferedOutputStream(new FileOutputStream(file.toFile()), 64 * 1024);
            spill.write(buffer, 0, count);
            count = 0;
        }
        if (spill != null) {
            spill.write(b, off, len);
            return;
        }
        if (count + len > buffer.length) {
            byte[] bigger = new byte[Math.min(limit, Math.max(buffer.length * 2, count + len))];
            System.arraycopy(buffer, 0, bigger, 0, count);
            buffer = bigger;
        }
        System.arraycopy(b, off, buffer, count, len);
        count += len;
    }

    @Override
    public void flush() throws IOException {
        if (spill != null) {
            spill.flush();
        }
    }

    /** Ends writing (closes the spill file, if any); the content stays readable through {@link #dataSource}. */
    @Override
    public void close() throws IOException {
        if (spill != null) {
            spill.close();
        }
    }

    /** The content, for a MIME part: streamed from memory or from the spill file. */
    DataSource dataSource(String contentType) {
        boolean spilled = spill != null;
        byte[] bytes = buffer;
        int length = count;
        return new DataSource() {
            @Override
            public InputStream getInputStream() throws IOException {
                return spilled ? Files.newInputStream(file) : new ByteArrayInputStream(bytes, 0, length);
            }

            @Override
            public OutputStream getOutputStream() throws IOException {
                throw new IOException("read-only");
            }

            @Override
            public String getContentType() {
                return contentType;
            }

            @Override
            public String getName() {
                return file.getFileName().toString();
            }
        };
    }

    /** Empties it for the next conversation: the spill file goes, a grown buffer is kept (at most {@code limit}). */
    void reset() throws IOException {
        count = 0;
        if (spill != null) {
            spill.close();
            spill = null;
        }
        Files.deleteIfExists(file);
    }
}
