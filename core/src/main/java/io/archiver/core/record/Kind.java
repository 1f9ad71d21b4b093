package io.archiver.core.record;

import java.util.Arrays;
import java.util.Optional;

/** What an archive record describes: a message, or an event of a session or conference. */
public enum Kind {
    MESSAGE("message", true),
    CONFERENCE_MESSAGE("conference-message", true),
    SESSION_START("session-start", false),
    SESSION_END("session-end", false),
    JOIN("join", false),
    LEAVE("leave", false);

    private final String wireName;
    private final boolean carriesMessage;

    Kind(String wireName, boolean carriesMessage) {
        this.wireName = wireName;
        this.carriesMessage = carriesMessage;
    }

    public String wireName() {
        return wireName;
    }

    /** Message kinds need a body and at least one recipient; session events need neither. */
    public boolean carriesMessage() {
        return carriesMessage;
    }

    public static Optional<Kind> fromWire(String name) {
        return Arrays.stream(values()).filter(k -> k.wireName.equals(name)).findFirst();
    }

    public static String allowedValues() {
        return String.join(", ", Arrays.stream(values()).map(Kind::wireName).toList());
    }
}
