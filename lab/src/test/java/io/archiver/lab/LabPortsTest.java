package io.archiver.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code DIR/ports.json}: a port is chosen once and kept; one another process took meanwhile is replaced. */
class LabPortsTest {

    @TempDir
    Path dir;

    @Test
    void portsAreKeptAcrossLoadsAndATakenOneIsReplacedAndSaved() throws Exception {
        Path file = dir.resolve("ports.json");
        LabPorts first = LabPorts.load(file);
        int http = first.port("fe-1.http");
        int amqp = first.port("fe-1.amqp");
        assertThat(http).isNotEqualTo(amqp);
        first.save();

        LabPorts second = LabPorts.load(file);
        assertThat(second.port("fe-1.http")).isEqualTo(http);
        assertThat(second.port("fe-1.amqp")).isEqualTo(amqp);

        // another process listens on the kept HTTP port at the next start
        try (ServerSocket squatter = new ServerSocket()) {
            squatter.bind(new InetSocketAddress("127.0.0.1", http));
            assertThat(FreePorts.isFree(http)).isFalse();
            assertThat(FreePorts.holder(http)).hasValue("pid " + ProcessHandle.current().pid() + " ("
                    + ProcessHandle.current().info().command().map(c -> Path.of(c).getFileName().toString()).orElse("?") + ")");
            LabPorts third = LabPorts.load(file);
            int moved = third.port("fe-1.http");
            assertThat(moved).isNotEqualTo(http).isNotEqualTo(amqp);
            assertThat(third.port("fe-1.amqp")).isEqualTo(amqp);
            third.save();
            assertThat(new ObjectMapper().readTree(file.toFile()).path("ports").path("fe-1.http").asInt()).isEqualTo(moved);
        }
        // reserved ports (the PostgreSQL servers') are never handed out, kept or not
        LabPorts fourth = LabPorts.load(file).reserve(List.of(amqp));
        assertThat(fourth.port("fe-1.amqp")).isNotEqualTo(amqp);
    }
}
