package io.archiver.ingest;

/** The spool did not take a batch (broker stopped, journal error, interrupted); nothing of it was kept. */
public class SpoolWriteException extends Exception {

    private static final long serialVersionUID = 1L;

    public SpoolWriteException(String message, Throwable cause) {
        super(message, cause);
    }
}
