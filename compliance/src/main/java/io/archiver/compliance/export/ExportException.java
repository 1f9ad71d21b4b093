package io.archiver.compliance.export;

/** An export that could not be done: the output directory, the database or the disk failed. */
public class ExportException extends Exception {

    public ExportException(String message) {
        super(message);
    }

    public ExportException(String message, Throwable cause) {
        super(message, cause);
    }
}
