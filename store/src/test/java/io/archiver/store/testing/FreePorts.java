package io.archiver.store.testing;

/** Ephemeral ports for tests: never a fixed one, other test runs share this machine. */
public final class FreePorts {

    private FreePorts() {
    }

    public static int next() {
        return io.archiver.core.net.FreePorts.any();
    }
}
