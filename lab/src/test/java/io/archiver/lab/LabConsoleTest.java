package io.archiver.lab;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * On a terminal the status line is redrawn in place and anything else printed meanwhile gets lines of its own
 * above it; the log goes to DIR/lab.log, and only its warnings to the console.
 */
class LabConsoleTest {

    private static final String CLEAR = "\r\u001b[2K";

    @TempDir
    Path dir;

    @Test
    void onATerminalMessagesAndWarningsArePrintedAboveTheStatusLine() {
        ByteArrayOutputStream screen = new ByteArrayOutputStream();
        PrintStream stream = new PrintStream(screen, true, StandardCharsets.UTF_8);
        LabConsole console = new LabConsole(stream, stream, true);
        console.println("banner");
        console.status("[lab 00:00:01] sent 1");
        console.status("[lab 00:00:02] sent 2");
        console.err("12:00:00.000 WARN  something\n");
        console.println("lab: stopping");
        console.endStatus();
        console.println("summary");
        assertThat(screen.toString(StandardCharsets.UTF_8)).isEqualTo("banner\n"
                + CLEAR + "[lab 00:00:01] sent 1"
                + CLEAR + "[lab 00:00:02] sent 2"
                + CLEAR + "12:00:00.000 WARN  something\n" + "[lab 00:00:02] sent 2"
                + CLEAR + "lab: stopping\n" + "[lab 00:00:02] sent 2"
                + "\n"
                + "summary\n");
    }

    @Test
    void elsewhereEveryStatusIsAPlainLine() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LabConsole console = new LabConsole(new PrintStream(out, true, StandardCharsets.UTF_8), System.err, false);
        console.status("one");
        console.println("message");
        console.status("two");
        console.endStatus();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("one\nmessage\ntwo\n");
    }

    @Test
    void onATerminalTheLogGoesToTheFileAndOnlyItsWarningsToTheConsole() throws Exception {
        ByteArrayOutputStream screen = new ByteArrayOutputStream();
        PrintStream stream = new PrintStream(screen, true, StandardCharsets.UTF_8);
        LabConsole console = new LabConsole(stream, stream, true);
        Logger root = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        List<String> before = appenders(root);
        Path file = dir.resolve("lab.log");
        org.slf4j.Logger log = LoggerFactory.getLogger("io.archiver.lab.LabConsoleTest");
        try (LabLogging logging = LabLogging.install(file, console)) {
            console.status("[lab 00:00:01]");
            log.info("an info line");
            log.warn("a warning line");
            log.error("an error with a stack trace", new IllegalStateException("the cause"));
        }
        String shown = screen.toString(StandardCharsets.UTF_8);
        assertThat(shown).doesNotContain("an info line");
        assertThat(shown).contains(CLEAR + "[lab 00:00:01]" + CLEAR);
        assertThat(shown).containsPattern("\r\u001b\\[2K\\d\\d:\\d\\d:\\d\\d\\.\\d{3} WARN  \\[[^]]+\\] io\\.archiver\\.lab\\.LabConsoleTest - a warning line\n\\[lab 00:00:01\\]");
        // a stack trace is one line on the console, whole in the file
        assertThat(shown).contains("io.archiver.lab.LabConsoleTest - an error with a stack trace (java.lang.IllegalStateException: "
                + "the cause; stack trace in " + file.toAbsolutePath() + ")\n");
        assertThat(shown).doesNotContain("\tat ");
        String logged = Files.readString(file);
        assertThat(logged).contains("java.lang.IllegalStateException: the cause\n\tat io.archiver.lab.LabConsoleTest");
        assertThat(logged).contains("INFO  [" + Thread.currentThread().getName() + "] io.archiver.lab.LabConsoleTest - an info line");
        assertThat(logged).contains("WARN  [" + Thread.currentThread().getName() + "] io.archiver.lab.LabConsoleTest - a warning line");
        // the console appenders are back once the lab is done
        assertThat(appenders(root)).isEqualTo(before);
        log.info("after the lab");
        assertThat(Files.readString(file)).doesNotContain("after the lab");
    }

    private static List<String> appenders(Logger root) {
        List<String> names = new ArrayList<>();
        root.iteratorForAppenders().forEachRemaining(a -> names.add(a.getName()));
        return names;
    }
}
