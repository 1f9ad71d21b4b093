package io.archiver.core.auth;

/** Who called: the token's name (for the audit log, never the token itself) and its role. */
public record Principal(String name, Role role) {
}
