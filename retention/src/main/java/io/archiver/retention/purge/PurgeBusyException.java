package io.archiver.retention.purge;

/** Another purge holds the archive's purge lock (one purge at a time, cluster-wide). */
public final class PurgeBusyException extends Exception {
    private static final long serialVersionUID = 1L;

    public PurgeBusyException(String message) {
        super(message);
    }
}
