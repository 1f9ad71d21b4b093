package io.archiver.compliance.export;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Counts and SHA-256-hashes every byte on its way to the file: the manifest's figures are what was written. */
final class HashingOutputStream extends FilterOutputStream {

    private final MessageDigest digest;
    private long bytes;

    HashingOutputStream(OutputStream out) {
        this(out, sha256());
    }

    private HashingOutputStream(OutputStream out, MessageDigest digest) {
        super(new DigestOutputStream(out, digest));
        this.digest = digest;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    @Override
    public void write(int b) throws IOException {
        out.write(b);
        bytes++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        bytes += len;
    }

    long bytes() {
        return bytes;
    }

    /** The hex SHA-256 of everything written; call once, after the last write. */
    String sha256Hex() {
        return HexFormat.of().formatHex(digest.digest());
    }
}
