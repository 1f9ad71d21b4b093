package io.archiver.compliance.search;

/** A search parameter that cannot be used: which one, and why (the HTTP layer answers 400 with both). */
public final class InvalidSearchException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String parameter;

    public InvalidSearchException(String parameter, String message) {
        super(message);
        this.parameter = parameter;
    }

    /** The query parameter at fault ({@code participant}, {@code from}, {@code cursor}, ...). */
    public String parameter() {
        return parameter;
    }
}
