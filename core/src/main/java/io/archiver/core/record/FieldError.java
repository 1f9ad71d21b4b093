package io.archiver.core.record;

/** Why one field of one record of a request was refused; {@code index} counts records from 0. */
public record FieldError(int index, String field, String reason) {

    @Override
    public String toString() {
        return "record " + index + ": " + (field.isEmpty() ? "" : field + " ") + reason;
    }
}
