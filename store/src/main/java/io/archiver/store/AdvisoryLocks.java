package io.archiver.store;

/**
 * The PostgreSQL advisory-lock keys the archive's cluster-wide "one at a time" rules rest on, in one
 * place so that no two features pick the same key and those that must agree use the same one.
 */
public final class AdvisoryLocks {

    /** Held by a purge while it runs (session lock: it dies with its process); the sealer waits for it. */
    public static final long PURGE = 0x61726368_70757267L; // "arch" "purg"
    /** One sealer at a time, so that the seal log is appended to in order. */
    public static final long SEAL = 0x61726368_7365616CL; // "arch" "seal"

    private AdvisoryLocks() {
    }
}
