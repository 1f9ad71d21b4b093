package io.archiver.retention.hold;

/** Small string checks shared by the hold inputs. */
final class Text {

    private Text() {
    }

    static boolean hasUnpairedSurrogate(String s) {
        return io.archiver.core.record.RecordValidator.hasUnpairedSurrogate(s);
    }

    /** Control characters other than tab, line feed and carriage return. */
    static boolean hasControlOtherThanWhitespace(String s) {
        return s.codePoints().anyMatch(c -> Character.isISOControl(c) && c != '\t' && c != '\n' && c != '\r');
    }
}
