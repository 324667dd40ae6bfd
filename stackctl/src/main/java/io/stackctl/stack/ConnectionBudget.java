package io.stackctl.stack;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;

/**
 * PostgreSQL's {@code max_connections} against what the replicas' pools may open. Every replica holds up to
 * {@code DB_POOL_SIZE} connections, a rollout starts new replicas beside the old ones, and PostgreSQL keeps some for
 * superusers; a stack past the budget fails at its worst moment (a deploy, a scale-up) with "too many clients".
 * So a scale, an {@code up --replicas} or a deploy that would not fit is refused before it starts, with the numbers.
 *
 * @param maxConnections the server's {@code max_connections}
 * @param poolSize each replica's {@code DB_POOL_SIZE}
 */
public record ConnectionBudget(int maxConnections, int poolSize) {

    /** PostgreSQL's {@code superuser_reserved_connections} default. */
    static final int SUPERUSER_RESERVED = 3;

    /** Left for the operator's own sessions: a backup's pg_dump, a verify's restore, psql, the health checks. */
    static final int OPERATIONS = 5;

    public static final int DEFAULT_POOL_SIZE = 10;

    /** Connections the replicas' pools may use in all. */
    public int forReplicas() {
        return Math.max(0, maxConnections - SUPERUSER_RESERVED - OPERATIONS);
    }

    /** What {@code replicas} steady and {@code surge} more during a rollout would open at most. */
    public int needed(int replicas, int surge) {
        return (replicas + surge) * poolSize;
    }

    public boolean fits(int replicas, int surge) {
        return needed(replicas, surge) <= forReplicas();
    }

    /** The most replicas that still leave room for one more during a rolling deploy. */
    public int maxReplicas() {
        return Math.max(0, forReplicas() / Math.max(1, poolSize) - 1);
    }

    /** Exit 2 naming every number when {@code replicas} (plus {@code surge} during the change) do not fit. */
    public void require(int replicas, int surge, String what) {
        if (fits(replicas, surge)) {
            return;
        }
        throw new StackctlException(
                ExitCodes.USAGE,
                "%s needs up to %d PostgreSQL connections ((%d replicas%s) x DB_POOL_SIZE %d), but max_connections %d"
                                .formatted(
                                        what,
                                        needed(replicas, surge),
                                        replicas,
                                        surge > 0 ? " + " + surge + " starting beside them" : "",
                                        poolSize,
                                        maxConnections)
                        + " leaves %d for the pools (%d kept for superusers and %d for backups and psql)"
                                .formatted(forReplicas(), SUPERUSER_RESERVED, OPERATIONS),
                "stay at %d replicas or fewer, or lower DB_POOL_SIZE in compose/.env (then bin/stackctl deploy),"
                                .formatted(maxReplicas())
                        + " or raise max_connections (DB_MAX_CONNECTIONS in compose/.env, then bin/stackctl up)");
    }

    /** One line for {@code health} and {@code status}. */
    public String describe(int replicas) {
        return "%d replicas x pool %d = %d of %d connections for the pools (max_connections %d); room for %d replicas"
                .formatted(replicas, poolSize, needed(replicas, 0), forReplicas(), maxConnections, maxReplicas());
    }
}
