package io.archiver.core.spool;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every embedded Artemis broker in one JVM needs its own in-VM acceptor id (the lab runs a node and
 * several front-ends side by side); take them from here.
 */
public final class InVmIds {

    private static final AtomicInteger NEXT = new AtomicInteger(1);

    private InVmIds() {
    }

    public static int next() {
        return NEXT.getAndIncrement();
    }
}
