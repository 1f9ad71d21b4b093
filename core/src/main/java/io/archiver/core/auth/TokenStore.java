package io.archiver.core.auth;

import io.archiver.core.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Bearer tokens from a file of {@code TOKEN ROLE [NAME]} lines ({@code #} starts a comment). Tokens are
 * kept only as SHA-256 digests, so a heap dump or a log line never shows one; the name (default: the
 * role and the line number) is what the audit log records.
 */
public final class TokenStore {

    private final Map<String, Principal> byDigest;

    private TokenStore(Map<String, Principal> byDigest) {
        this.byDigest = Map.copyOf(byDigest);
    }

    public static TokenStore load(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("cannot read tokens.file " + file + ": " + e.getMessage(), e);
        }
        Map<String, Principal> byDigest = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split("\\s+");
            if (parts.length < 2 || parts.length > 3) {
                throw new ConfigException(file + " line " + (i + 1) + ": expected 'TOKEN ROLE [NAME]'");
            }
            int lineNumber = i + 1;
            Role role = Role.fromWire(parts[1]).orElseThrow(() -> new ConfigException(
                    file + " line " + lineNumber + ": unknown role '" + parts[1] + "', expected ingest, auditor or admin"));
            String name = parts.length == 3 ? parts[2] : role.wireName() + "@line" + lineNumber;
            if (byDigest.put(digest(parts[0]), new Principal(name, role)) != null) {
                throw new ConfigException(file + " line " + (i + 1) + ": the same token is listed twice");
            }
        }
        return new TokenStore(byDigest);
    }

    /** No tokens: every call is refused (a node started without {@code tokens.file}). */
    public static TokenStore none() {
        return new TokenStore(Map.of());
    }

    public boolean isEmpty() {
        return byDigest.isEmpty();
    }

    public Optional<Principal> find(String token) {
        return Optional.ofNullable(byDigest.get(digest(token)));
    }

    private static String digest(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
