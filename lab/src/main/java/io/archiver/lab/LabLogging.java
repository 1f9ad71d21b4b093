package io.archiver.lab;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Where the lab's log goes while it runs (the logger levels stay as {@code logback.xml} sets them).
 * <ul>
 *   <li>Always to {@code DIR/lab.log} as well, appended to across runs: everything, INFO included.</li>
 *   <li>On a terminal, the console appenders (stderr) are taken off for the run and only WARN and ERROR go
 *       to stderr, through {@link LabConsole}: the status line is cleared first, the warning gets a line of its
 *       own, the status line is drawn again below it. INFO is in {@code DIR/lab.log} only.</li>
 *   <li>Otherwise (stdout a pipe or a file: CI, {@code nohup}) stderr gets what it always got.</li>
 * </ul>
 * {@link #close()} puts the console appenders back. Nothing happens when logback is not the SLF4J binding.
 */
final class LabLogging implements AutoCloseable {

    static final String PATTERN = "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n";

    private final Logger root;
    private final List<Appender<ILoggingEvent>> added = new ArrayList<>();
    private final List<Appender<ILoggingEvent>> removed = new ArrayList<>();

    private LabLogging(Logger root) {
        this.root = root;
    }

    static LabLogging install(Path logFile, LabConsole console) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return new LabLogging(null);
        }
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        LabLogging logging = new LabLogging(root);

        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        FileAppender<ILoggingEvent> file = new FileAppender<>();
        file.setContext(context);
        file.setName("lab-file");
        file.setFile(logFile.toAbsolutePath().toString());
        file.setAppend(true);
        file.setEncoder(encoder);
        file.start();
        logging.add(file);

        if (console.terminal()) {
            for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
                Appender<ILoggingEvent> appender = it.next();
                if (appender instanceof ConsoleAppender) {
                    logging.removed.add(appender);
                }
            }
            logging.removed.forEach(root::detachAppender);
            ConsoleWarnings warnings = new ConsoleWarnings(console, logFile.toAbsolutePath());
            warnings.setContext(context);
            warnings.setName("lab-console");
            ThresholdFilter threshold = new ThresholdFilter();
            threshold.setLevel(Level.WARN.toString());
            threshold.start();
            warnings.addFilter(threshold);
            warnings.start();
            logging.add(warnings);
        }
        return logging;
    }

    private void add(Appender<ILoggingEvent> appender) {
        root.addAppender(appender);
        added.add(appender);
    }

    @Override
    public void close() {
        if (root == null) {
            return;
        }
        removed.forEach(root::addAppender);
        for (Appender<ILoggingEvent> appender : added) {
            root.detachAppender(appender);
            appender.stop();
        }
    }

    /**
     * WARN and ERROR on stderr, each on a line of its own above the status line; a stack trace shows as its
     * exception's one-line summary (the whole trace is in the log file).
     */
    private static final class ConsoleWarnings extends AppenderBase<ILoggingEvent> {

        private final LabConsole console;
        private final PatternLayout layout = new PatternLayout();

        private final Path logFile;

        ConsoleWarnings(LabConsole console, Path logFile) {
            this.console = console;
            this.logFile = logFile;
        }

        @Override
        public void start() {
            // the console's own format (logback.xml): time of day only
            layout.setContext(getContext());
            layout.setPattern("%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%nopex");
            layout.start();
            super.start();
        }

        @Override
        protected void append(ILoggingEvent event) {
            StringBuilder line = new StringBuilder(layout.doLayout(event));
            IThrowableProxy thrown = event.getThrowableProxy();
            if (thrown != null) {
                line.append(" (").append(thrown.getClassName());
                if (thrown.getMessage() != null && !line.toString().contains(thrown.getMessage())) {
                    line.append(": ").append(thrown.getMessage());
                }
                line.append("; stack trace in ").append(logFile).append(')');
            }
            console.err(line.append(System.lineSeparator()).toString());
        }
    }
}
