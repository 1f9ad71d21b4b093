package io.archiver.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/**
 * A TCP port nothing listens on right now, for the tests' listeners. Artemis acceptors
 * and Javalin take a fixed port better than port 0, so the port is found first and then bound.
 */
public final class FreePorts {

    private FreePorts() {
    }

    public static int any() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free TCP port on this machine: " + e.getMessage(), e);
        }
    }
}
