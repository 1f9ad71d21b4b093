package io.archiver.core.record;

/** The body as a whole cannot be read as records: not UTF-8, not JSON, or not objects. */
public class MalformedBodyException extends Exception {

    private static final long serialVersionUID = 1L;

    private final int index;

    public MalformedBodyException(String message, int index) {
        super(message);
        this.index = index;
    }

    /** Index of the record being read when it failed, or -1 when that is not known. */
    public int index() {
        return index;
    }
}
