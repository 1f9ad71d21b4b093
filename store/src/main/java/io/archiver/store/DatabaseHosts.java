package io.archiver.store;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The servers a PostgreSQL JDBC URL lists ({@code jdbc:postgresql://h1:5432,h2:5432/archive?targetServerType=primary}),
 * so that the failover watcher and {@code status} can look at each one on its own: the pool's URL
 * only ever reaches the primary.
 */
public final class DatabaseHosts {

    public static final int DEFAULT_PORT = 5432;
    private static final String PREFIX = "jdbc:postgresql://";

    private final List<Host> hosts;
    private final String database;
    private final Map<String, String> parameters;

    /** One server of the URL, as {@code host:port} (its name in logs, status and {@code archive.failovers}). */
    public record Host(String host, int port) {
        public Host {
            Objects.requireNonNull(host, "host");
        }

        @Override
        public String toString() {
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    private DatabaseHosts(List<Host> hosts, String database, Map<String, String> parameters) {
        this.hosts = List.copyOf(hosts);
        this.database = database;
        this.parameters = parameters;
    }

    /**
     * @throws IllegalArgumentException when {@code url} is not a {@code jdbc:postgresql://} URL with a host
     */
    public static DatabaseHosts parse(String url) {
        if (url == null || !url.startsWith(PREFIX)) {
            throw new IllegalArgumentException("db.url must be jdbc:postgresql://host:port[,host:port...]/database, not " + url);
        }
        String rest = url.substring(PREFIX.length());
        int query = rest.indexOf('?');
        String beforeQuery = query < 0 ? rest : rest.substring(0, query);
        int slash = beforeQuery.indexOf('/');
        String hostList = slash < 0 ? beforeQuery : beforeQuery.substring(0, slash);
        String database = slash < 0 ? "" : beforeQuery.substring(slash + 1);
        List<Host> hosts = new ArrayList<>();
        for (String part : hostList.split(",")) {
            if (!part.isBlank()) {
                hosts.add(host(part.strip(), url));
            }
        }
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("db.url names no host: " + url);
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        if (query >= 0) {
            for (String pair : rest.substring(query + 1).split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    parameters.put(pair.substring(0, eq), pair.substring(eq + 1));
                }
            }
        }
        return new DatabaseHosts(hosts, database, parameters);
    }

    private static Host host(String part, String url) {
        String host = part;
        int port = DEFAULT_PORT;
        int colon = part.lastIndexOf(':');
        boolean bracketed = part.startsWith("[");
        if (colon > 0 && (!bracketed || colon > part.indexOf(']'))) {
            host = part.substring(0, colon);
            try {
                port = Integer.parseInt(part.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("db.url has a bad port in '" + part + "': " + url);
            }
        }
        if (bracketed) {
            host = host.substring(1, host.length() - 1);
        }
        return new Host(host, port);
    }

    public List<Host> hosts() {
        return hosts;
    }

    public String database() {
        return database;
    }

    /** Whether the URL asks for the primary ({@code targetServerType=primary}, or its old name {@code master}). */
    public boolean targetsPrimary() {
        String type = parameters.getOrDefault("targetServerType", "any").toLowerCase(Locale.ROOT);
        return type.equals("primary") || type.equals("master");
    }

    /**
     * A URL for {@code host} alone with short time-outs, for probing it: {@code timeoutSeconds} bounds the
     * connect, the login and every statement, so a dead or frozen server costs one time-out, not a hang.
     * SSL settings of the original URL are kept.
     */
    public String singleHostUrl(Host host, int timeoutSeconds) {
        StringBuilder url = new StringBuilder(PREFIX).append(host).append('/').append(database)
                .append("?connectTimeout=").append(timeoutSeconds)
                .append("&loginTimeout=").append(timeoutSeconds)
                .append("&socketTimeout=").append(timeoutSeconds + 1)
                .append("&ApplicationName=archiver-cluster-probe");
        parameters.forEach((key, value) -> {
            if (key.toLowerCase(Locale.ROOT).startsWith("ssl")) {
                url.append('&').append(key).append('=').append(value);
            }
        });
        return url.toString();
    }
}
