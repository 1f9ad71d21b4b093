package io.archiver.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A TCP port nothing listens on right now, for the lab's listeners. Artemis acceptors
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

    /**
     * Whether a listener could bind {@code port} now: tried on the wildcard address (which clashes with a
     * listener on any local address, IPv4 or IPv6) with SO_REUSEADDR, as Jetty, Artemis and PostgreSQL bind,
     * so that the previous run's connections in TIME_WAIT do not count as taken.
     */
    public static boolean isFree(int port) {
        if (port <= 0 || port > 65535) {
            return false;
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Best effort (Linux, processes of this user only): what holds {@code port}, as {@code pid 1234 (postgres)}.
     * Empty when it cannot be told.
     */
    public static Optional<String> holder(int port) {
        try {
            Set<String> inodes = new HashSet<>();
            for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
                Path file = Path.of(table);
                if (!Files.isReadable(file)) {
                    continue;
                }
                List<String> lines = Files.readAllLines(file);
                for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                    // sl local_address rem_address st tx:rx tr:tm retrnsmt uid timeout inode
                    String[] fields = line.strip().split("\\s+");
                    if (fields.length < 10) {
                        continue;
                    }
                    String local = fields[1];
                    int localPort = Integer.parseInt(local.substring(local.indexOf(':') + 1), 16);
                    if (localPort == port && !"0".equals(fields[9])) {
                        inodes.add("socket:[" + fields[9] + "]");
                    }
                }
            }
            if (inodes.isEmpty()) {
                return Optional.empty();
            }
            try (DirectoryStream<Path> processes = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
                for (Path process : processes) {
                    if (holdsOne(process, inodes)) {
                        long pid = Long.parseLong(process.getFileName().toString());
                        String name = ProcessHandle.of(pid).flatMap(p -> p.info().command())
                                .map(c -> Path.of(c).getFileName().toString()).orElse(comm(process));
                        return Optional.of("pid " + pid + " (" + name + ")");
                    }
                }
            }
            return Optional.of("a process this user cannot inspect");
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static boolean holdsOne(Path process, Set<String> inodes) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(process.resolve("fd"))) {
            for (Path fd : fds) {
                try {
                    if (inodes.contains(Files.readSymbolicLink(fd).toString())) {
                        return true;
                    }
                } catch (IOException | UnsupportedOperationException e) {
                    // closed meanwhile
                }
            }
        } catch (IOException | RuntimeException e) {
            // not ours to read, or gone
        }
        return false;
    }

    private static String comm(Path process) {
        try {
            return Files.readString(process.resolve("comm")).strip();
        } catch (IOException e) {
            return "?";
        }
    }
}
