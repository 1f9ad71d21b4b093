package io.archiver.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/** One random token per role in {@code DIR/tokens}, made on the first run and kept for the next. */
public final class LabTokens {

    private static final String[] ROLES = {"ingest", "auditor", "admin"};

    private final Path file;
    private final Map<String, String> byRole;

    private LabTokens(Path file, Map<String, String> byRole) {
        this.file = file;
        this.byRole = byRole;
    }

    public static LabTokens loadOrCreate(Path file) throws IOException {
        Map<String, String> byRole = new LinkedHashMap<>();
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String[] parts = line.strip().split("\\s+");
                if (parts.length >= 2 && !parts[0].startsWith("#")) {
                    byRole.putIfAbsent(parts[1], parts[0]);
                }
            }
        }
        boolean changed = false;
        SecureRandom random = new SecureRandom();
        for (String role : ROLES) {
            if (!byRole.containsKey(role)) {
                byte[] bytes = new byte[24];
                random.nextBytes(bytes);
                byRole.put(role, Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
                changed = true;
            }
        }
        if (changed) {
            StringBuilder text = new StringBuilder("# TOKEN ROLE NAME (written by archiver lab)\n");
            byRole.forEach((role, token) -> text.append(token).append(' ').append(role).append(" lab-").append(role).append('\n'));
            Files.writeString(file, text, StandardCharsets.UTF_8);
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system: the token file keeps the default permissions
            }
        }
        return new LabTokens(file, byRole);
    }

    public Path file() {
        return file;
    }

    public String token(String role) {
        return byRole.get(role);
    }

    public Map<String, String> all() {
        Map<String, String> tokens = new LinkedHashMap<>();
        for (String role : ROLES) {
            tokens.put(role, byRole.get(role));
        }
        return tokens;
    }
}
