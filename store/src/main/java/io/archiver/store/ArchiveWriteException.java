package io.archiver.store;

/**
 * The archive database could not take a batch and it is not the data's fault: nothing of the batch was
 * committed. {@link TransientDatabaseException} (a subclass) means "try again later"; anything else
 * (a missing table, a permission problem) needs an operator, though retrying is still safe because
 * every write is idempotent.
 */
public class ArchiveWriteException extends Exception {

    private static final long serialVersionUID = 1L;

    public ArchiveWriteException(String message, Throwable cause) {
        super(message, cause);
    }

    public boolean isTransient() {
        return false;
    }
}
