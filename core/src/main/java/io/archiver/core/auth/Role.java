package io.archiver.core.auth;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** What a bearer token may do. Admin includes everything an auditor may do; ingest is separate. */
public enum Role {
    INGEST,
    AUDITOR,
    ADMIN;

    public boolean grants(Role required) {
        return this == required || (this == ADMIN && required == AUDITOR);
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Role> fromWire(String name) {
        return Arrays.stream(values()).filter(r -> r.wireName().equals(name.toLowerCase(Locale.ROOT))).findFirst();
    }
}
