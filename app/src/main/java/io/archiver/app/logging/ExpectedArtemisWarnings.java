package io.archiver.app.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.Set;
import org.slf4j.Marker;

/**
 * Drops the two warnings Artemis logs at every start because our queues have no dead-letter and no
 * expiry address (AMQ222165, AMQ222166). That is the design, not a fault: nothing may expire out of a
 * spool, and refused records go to archive.dead_letters, not to a broker queue.
 */
public final class ExpectedArtemisWarnings extends TurboFilter {

    private static final Set<String> CODES = Set.of("AMQ222165", "AMQ222166");

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (format != null && format.length() >= 9 && CODES.contains(format.substring(0, 9))
                && logger.getName().startsWith("org.apache.activemq")) {
            return FilterReply.DENY;
        }
        return FilterReply.NEUTRAL;
    }
}
