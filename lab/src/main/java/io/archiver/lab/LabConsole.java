package io.archiver.lab;

import java.io.PrintStream;

/**
 * The lab's terminal, shared by its messages, its live status line and (on a terminal) the log's warnings,
 * so that they never run into each other.
 *
 * <p>On a terminal (stdout is one) the status line is the last line on screen, redrawn in place with
 * {@code \r} and ANSI clear-line ({@code ESC [2K}); anything else printed meanwhile (a message on stdout, a
 * warning on stderr) first clears the status line, is printed on lines of its own, and the status line is
 * drawn again below it. Otherwise (a pipe, a file, CI) every status is a plain line and nothing is redrawn.
 * All of it under one lock: the status timer, the logging threads and the command's own thread print here.
 */
final class LabConsole {

    private static final String CLEAR_LINE = "\r\u001b[2K";

    private final PrintStream out;
    private final PrintStream err;
    private final boolean terminal;
    /** The status line on screen now (terminal only), null if none. */
    private String status;

    LabConsole(PrintStream out, PrintStream err, boolean terminal) {
        this.out = out;
        this.err = err;
        this.terminal = terminal;
    }

    /** stdout and stderr, a terminal when the JVM has a console (stdin and stdout are terminals). */
    static LabConsole system() {
        return new LabConsole(System.out, System.err, System.console() != null);
    }

    boolean terminal() {
        return terminal;
    }

    /** A message line on stdout (above the status line on a terminal). */
    synchronized void println(String line) {
        clear();
        out.println(line);
        out.flush();
        redraw();
    }

    /** The status line: redrawn in place on a terminal, a plain line otherwise. */
    synchronized void status(String line) {
        if (terminal) {
            status = line;
            out.print(CLEAR_LINE + line);
        } else {
            out.println(line);
        }
        out.flush();
    }

    /** Ends the status line: the next output starts on a new line below its last state. */
    synchronized void endStatus() {
        if (status != null) {
            out.println();
            out.flush();
            status = null;
        }
    }

    /** Text for stderr (log lines, each ending in a newline), on lines of their own above the status line. */
    synchronized void err(String text) {
        clear();
        err.print(text);
        err.flush();
        redraw();
    }

    private void clear() {
        if (status != null) {
            out.print(CLEAR_LINE);
            out.flush();
        }
    }

    private void redraw() {
        if (status != null) {
            out.print(status);
            out.flush();
        }
    }
}
