package io.archiver.cluster.failover;

import io.archiver.store.DatabaseHosts;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one probe saw of one database server.
 *
 * @param host           the server
 * @param role           primary, standby or down (unreachable, or it did not answer in time)
 * @param readOnly       a primary whose {@code default_transaction_read_only} is on: fenced, takes no writes
 * @param term           the highest {@code archive.failovers.term} it holds (0: none, or not migrated yet)
 * @param synchronousStandbyNames a primary's {@code synchronous_standby_names} ("" = commits do not wait)
 * @param replicas       a primary's connected standbys ({@code pg_stat_replication})
 * @param receiving      a standby's WAL receiver is streaming from a primary
 * @param receivedLsn    a standby: the WAL position received and flushed, as a byte offset (the standby with the
 *                       highest one holds the most of the old primary's commits)
 * @param lagBytes       a standby: received but not yet replayed WAL, in bytes (null when unknown)
 * @param replayDelaySeconds a standby: age of the last replayed transaction (null when none replayed)
 * @param error          why it is down
 */
public record HostState(DatabaseHosts.Host host, Role role, boolean readOnly, long term, String synchronousStandbyNames,
                        List<Replica> replicas, boolean receiving, Long receivedLsn, Long lagBytes, Double replayDelaySeconds, String error) {

    public enum Role { PRIMARY, STANDBY, DOWN }

    /** One standby as its primary sees it. */
    public record Replica(String name, String address, String state, String syncState, Long lagBytes) {
        public boolean streaming() {
            return "streaming".equals(state);
        }

        public boolean synchronous() {
            return "sync".equals(syncState) || "quorum".equals(syncState);
        }
    }

    public HostState {
        replicas = replicas == null ? List.of() : List.copyOf(replicas);
    }

    static HostState down(DatabaseHosts.Host host, String error) {
        return new HostState(host, Role.DOWN, false, 0, null, List.of(), false, null, null, null, error);
    }

    public boolean isPrimary() {
        return role == Role.PRIMARY;
    }

    public boolean isStandby() {
        return role == Role.STANDBY;
    }

    public boolean isDown() {
        return role == Role.DOWN;
    }

    /** A primary that takes writes: not fenced. */
    public boolean isWritablePrimary() {
        return role == Role.PRIMARY && !readOnly;
    }

    /** For JSON (status, GET /v1/cluster). */
    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("host", host.toString());
        map.put("role", role == Role.PRIMARY && readOnly ? "fenced" : role.name().toLowerCase(java.util.Locale.ROOT));
        if (role == Role.PRIMARY) {
            map.put("synchronous", synchronousStandbyNames != null && !synchronousStandbyNames.isBlank());
            map.put("term", term);
            map.put("replicas", replicas.stream().map(r -> {
                Map<String, Object> replica = new LinkedHashMap<>();
                replica.put("name", r.name());
                replica.put("address", r.address());
                replica.put("state", r.state());
                replica.put("syncState", r.syncState());
                replica.put("lagBytes", r.lagBytes());
                return replica;
            }).toList());
        } else if (role == Role.STANDBY) {
            map.put("receiving", receiving);
            map.put("lagBytes", lagBytes);
            map.put("replayDelaySeconds", replayDelaySeconds);
        } else {
            map.put("error", error);
        }
        return map;
    }
}
