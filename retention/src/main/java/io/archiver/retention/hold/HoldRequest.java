package io.archiver.retention.hold;

import java.util.ArrayList;
import java.util.List;

/**
 * A hold to place, checked as a whole: the target ({@link HoldTarget#of}) and the reason (required,
 * not blank, at most {@value #MAX_REASON_LENGTH} characters, no control characters other than tab and
 * line breaks; leading and trailing white space is dropped). Every problem is reported at once.
 */
public record HoldRequest(HoldTarget target, String reason) {

    public static final int MAX_REASON_LENGTH = 1000;

    /** @throws InvalidHoldException listing every problem of the three inputs ({@code null} = not given) */
    public static HoldRequest of(String participant, String conversation, String reason) {
        List<InvalidHoldException.Problem> problems = new ArrayList<>();
        HoldTarget target = HoldTarget.check(participant, conversation, problems);
        String checkedReason = checkReason(reason, problems);
        if (!problems.isEmpty()) {
            throw new InvalidHoldException(problems);
        }
        return new HoldRequest(target, checkedReason);
    }

    /** The reason as stored (stripped), or {@code null} after adding its problem. */
    static String checkReason(String reason, List<InvalidHoldException.Problem> problems) {
        if (reason == null || reason.isBlank()) {
            problems.add(new InvalidHoldException.Problem("reason",
                    "is required: say why the records are held (a matter, a case number, a request)"));
            return null;
        }
        String stripped = reason.strip();
        int length = stripped.codePointCount(0, stripped.length());
        if (length > MAX_REASON_LENGTH) {
            problems.add(new InvalidHoldException.Problem("reason",
                    "must be at most " + MAX_REASON_LENGTH + " characters, not " + length));
            return null;
        }
        if (Text.hasControlOtherThanWhitespace(stripped)) {
            problems.add(new InvalidHoldException.Problem("reason", "must not contain control characters other than tab and line breaks"));
            return null;
        }
        if (Text.hasUnpairedSurrogate(stripped)) {
            problems.add(new InvalidHoldException.Problem("reason", "contains an unpaired UTF-16 surrogate"));
            return null;
        }
        return stripped;
    }
}
