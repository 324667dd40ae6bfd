package io.stackctl.replication;

import java.util.List;
import java.util.Optional;

/**
 * One db node as it answered stackctl (over {@code docker exec}, as stackctl's own role): its role, where its WAL is,
 * and, on a primary, what each standby has received and replayed.
 *
 * @param node the compose service (db, db-standby)
 * @param container its container's name, when it has one
 * @param running its container runs
 * @param answered PostgreSQL answered; when false the rest holds nothing
 * @param inRecovery a standby (or a primary still starting)
 * @param timeline the timeline of its last checkpoint; a promotion starts a new one
 * @param lsn the WAL position it wrote (a primary) or replayed (a standby)
 * @param receiver a standby's WAL receiver state (streaming, ...), empty when none runs
 * @param synchronousNames synchronous_standby_names: empty when no commit waits
 * @param feeds on a primary, one per connected standby
 * @param slots the node's replication slots
 */
public record NodeState(
        String node,
        Optional<String> container,
        boolean running,
        boolean answered,
        boolean inRecovery,
        long timeline,
        String lsn,
        Optional<String> receiver,
        String synchronousNames,
        List<Feed> feeds,
        List<Slot> slots) {

    /** A standby as its primary sees it: pg_stat_replication. */
    public record Feed(String node, String state, String sync, long lagBytes, double lagSeconds) {}

    /** pg_replication_slots: a slot keeps WAL for its standby while that one is away (bounded: wal_status). */
    public record Slot(String name, boolean active, String walStatus) {}

    static NodeState down(String node, Optional<String> container, boolean running) {
        return new NodeState(node, container, running, false, false, 0, "", Optional.empty(), "", List.of(), List.of());
    }

    public boolean primary() {
        return answered && !inRecovery;
    }

    public String role() {
        if (!running) {
            return "stopped";
        }
        if (!answered) {
            return "not answering";
        }
        return inRecovery ? "standby" : "primary";
    }
}
