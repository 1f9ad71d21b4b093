package io.archiver.retention.hold;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A hold refused before anything was written: no or two targets, a bad participant URI or
 * conversation id, a missing or over-long reason, a missing actor. {@link #problems()} names each
 * field and why (the HTTP API answers them as the 400's {@code details}); the message joins them.
 */
public final class InvalidHoldException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /** One refused field. */
    public record Problem(String field, String reason) {
        @Override
        public String toString() {
            return field + " " + reason;
        }
    }

    private final transient List<Problem> problems;

    public InvalidHoldException(List<Problem> problems) {
        super(problems.stream().map(Problem::toString).collect(Collectors.joining("; ")));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("an InvalidHoldException needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    public InvalidHoldException(String field, String reason) {
        this(List.of(new Problem(field, reason)));
    }

    public List<Problem> problems() {
        return problems;
    }
}
