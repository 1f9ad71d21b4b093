package io.archiver.lab.drill;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the drill needs of a running lab's {@code lab.json}: the front-ends to load, the ingest token,
 * the archive nodes to watch and the two PostgreSQL servers with their roles and postmaster pids. The
 * lab rewrites the file atomically whenever a role or a pid changes, so it is read afresh each time.
 */
record LabFile(Path file, List<String> frontends, String ingestToken, List<String> nodeUrls, List<Server> postgres) {

    /** One PostgreSQL server of the lab as lab.json lists it. */
    record Server(String name, String role, int port, long pid) {
        String describe() {
            return name + " (127.0.0.1:" + port + ")";
        }
    }

    static LabFile read(Path file) throws IOException {
        JsonNode json = new ObjectMapper().readTree(file.toFile());
        if (json == null || !json.isObject()) {
            throw new IOException(file + " is not a lab.json object");
        }
        List<String> frontends = new ArrayList<>();
        json.path("frontends").forEach(url -> frontends.add(url.asText()));
        List<String> nodes = new ArrayList<>();
        json.path("nodes").forEach(node -> nodes.add(node.path("url").asText()));
        if (nodes.isEmpty() && json.hasNonNull("node")) {
            // a lab with one node may list only "node"
            nodes.add(json.get("node").asText());
        }
        List<Server> servers = new ArrayList<>();
        json.path("postgres").forEach(pg -> servers.add(new Server(pg.path("name").asText("pg?"), pg.path("role").asText(""),
                pg.path("port").asInt(-1), pg.path("pid").asLong(-1))));
        String token = json.path("tokens").path("ingest").asText("");
        if (frontends.isEmpty() || token.isEmpty() || nodes.isEmpty()) {
            throw new IOException(file + " lists no front-end, node or ingest token: is it a lab.json of ./archiver lab?");
        }
        return new LabFile(file, List.copyOf(frontends), token, List.copyOf(nodes), List.copyOf(servers));
    }

    static boolean exists(Path file) {
        return Files.isRegularFile(file);
    }

    Optional<Server> withRole(String role) {
        return postgres.stream().filter(s -> s.role().equals(role)).findFirst();
    }

    /** The server on {@code port} ({@code host:port} names in archive.failovers carry only the port for the lab). */
    Optional<Server> onPort(int port) {
        return postgres.stream().filter(s -> s.port() == port).findFirst();
    }
}
