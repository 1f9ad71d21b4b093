package io.archiver.store;

/**
 * The database is unreachable, restarting, failing over, or asked us to retry (serialization failure,
 * deadlock, out of resources). Nothing of the batch was committed; the caller keeps it and retries.
 */
public final class TransientDatabaseException extends ArchiveWriteException {

    private static final long serialVersionUID = 1L;

    public TransientDatabaseException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean isTransient() {
        return true;
    }
}
