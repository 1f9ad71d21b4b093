package io.archiver.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ports of the lab's own listeners (each archive node's HTTP and broker, each front-end's HTTP and AMQP),
 * kept in {@code DIR/ports.json} so that a restart on the same {@code --data} listens where the last run did:
 * the URLs in {@code lab.json}, the config files and whatever a user scripted against them stay valid.
 * (The PostgreSQL servers keep theirs in {@code DIR/postgres/cluster.json}, see {@link LabDatabaseCluster}.)
 *
 * <p>Each port is chosen once, free at that time, by name ({@code node-1.http}, {@code fe-2.amqp}...).
 * <b>A kept port that another process holds at restart is replaced</b>: the lab picks a new free port, says so
 * with a warning on stderr naming the port, what it was for and, when it can tell, the process holding it
 * ({@code pid 1234 (nc)}), and keeps the new one from then on. A lab is a tool to try things with, and a lab
 * that refuses to start because some unrelated program took a port in the meantime helps nobody; the warning
 * says which URL moved, and {@code lab.json} always has the current ones. Ports of listeners a run does not
 * start (fewer front-ends than last time) stay in the file for the next run that does. Written atomically.
 */
final class LabPorts {

    private static final Logger LOG = LoggerFactory.getLogger(LabPorts.class);

    private final Path file;
    private final Map<String, Integer> ports;
    /** Ports this run already handed out or must not take (the PostgreSQL servers'). */
    private final Set<Integer> taken = new HashSet<>();

    private LabPorts(Path file, Map<String, Integer> ports) {
        this.file = file;
        this.ports = ports;
    }

    /** The kept ports of {@code file}, none if it does not exist (or cannot be read: it is then rewritten). */
    static LabPorts load(Path file) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        if (Files.exists(file)) {
            try {
                JsonNode saved = new ObjectMapper().readTree(file.toFile()).path("ports");
                for (Iterator<Map.Entry<String, JsonNode>> it = saved.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> entry = it.next();
                    int port = entry.getValue().asInt(0);
                    if (port > 0 && port <= 65535 && !ports.containsValue(port)) {
                        ports.put(entry.getKey(), port);
                    }
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("ignoring unreadable {} ({}): the lab's listeners get new ports", file, e.getMessage());
            }
        }
        return new LabPorts(file, ports);
    }

    /** Ports this lab must not hand out (its PostgreSQL servers' own). */
    LabPorts reserve(Collection<Integer> others) {
        taken.addAll(others);
        return this;
    }

    /**
     * The port for {@code name} ({@code fe-1.http}): the kept one when nothing holds it, else a new free one
     * (with a warning when a kept one was replaced). Call {@link #save()} once all are chosen.
     */
    synchronized int port(String name) {
        Integer kept = ports.get(name);
        if (kept != null && !taken.contains(kept) && FreePorts.isFree(kept)) {
            taken.add(kept);
            return kept;
        }
        int chosen = FreePorts.any();
        while (taken.contains(chosen) || ports.containsValue(chosen)) {
            chosen = FreePorts.any();
        }
        if (kept != null) {
            String holder = taken.contains(kept) ? "this lab" : FreePorts.holder(kept).orElse("another process");
            LOG.warn("lab: port {} kept for {} (in {}) is taken by {}: using port {} instead from now on (lab.json has it)",
                    kept, name, file, holder, chosen);
        }
        ports.put(name, chosen);
        taken.add(chosen);
        return chosen;
    }

    /** Writes {@code DIR/ports.json} (through a temporary file and a rename). */
    synchronized void save() throws IOException {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("comment", "ports of the lab's listeners, kept across restarts on this directory (written by archiver lab)");
        json.put("ports", ports);
        JsonFiles.write(file, json);
    }

    Path file() {
        return file;
    }
}
