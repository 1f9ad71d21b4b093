package io.archiver.core.config;

/**
 * Who reads a configuration: a front-end ({@code ./archiver frontend}) or an archive node
 * ({@code ./archiver node}; the CLI commands that take {@code --config} read the node's file too).
 */
public enum Role {
    FRONTEND("front-end"),
    NODE("node");

    private final String label;

    Role(String label) {
        this.label = label;
    }

    /** As written in messages: "front-end", "node". */
    public String label() {
        return label;
    }

    /** {@code node} or {@code frontend}, as typed on the command line. */
    public static Role parse(String text) {
        return switch (text.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "node" -> NODE;
            case "frontend", "front-end" -> FRONTEND;
            default -> throw new ConfigException("role must be node or frontend, not '" + text + "'");
        };
    }
}
