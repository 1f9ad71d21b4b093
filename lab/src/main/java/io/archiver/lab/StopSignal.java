package io.archiver.lab;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import sun.misc.Signal;

/**
 * Turns Ctrl-C and SIGTERM into a request to stop instead of an immediate JVM shutdown, so the lab can
 * drain and close in order (shutdown hooks run concurrently, and the embedded PostgreSQL has one of
 * its own that would stop the database under the still-draining node).
 */
final class StopSignal {

    private final CountDownLatch requested = new CountDownLatch(1);

    StopSignal() {
        for (String name : new String[] {"INT", "TERM"}) {
            try {
                Signal.handle(new Signal(name), signal -> requested.countDown());
            } catch (IllegalArgumentException unsupported) {
                // this platform does not deliver the signal: the default handling stays
            }
        }
    }

    /** Waits for a signal, or for {@code duration} when it is not null; true when a signal came. */
    boolean await(Duration duration) throws InterruptedException {
        if (duration == null) {
            requested.await();
            return true;
        }
        return requested.await(duration.toMillis(), TimeUnit.MILLISECONDS);
    }

    boolean requested() {
        return requested.getCount() == 0;
    }
}
