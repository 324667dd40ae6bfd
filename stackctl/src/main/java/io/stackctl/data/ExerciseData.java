package io.stackctl.data;

import io.stackctl.backup.PostgresContainer;
import io.stackctl.stack.Stack;

/**
 * The tasks a drill or a benchmark writes into the live database, removed when it is done: a run marks the newest
 * task id before it starts, and afterwards deletes the tasks above that mark that carry its titles ("bench ...",
 * "drill ..."), then clears the cache so no replica serves them from Redis. A person's own tasks written meanwhile,
 * under other titles, stay.
 */
public final class ExerciseData {

    private final Stack stack;
    private final long mark;

    private ExerciseData(Stack stack, long mark) {
        this.stack = stack;
        this.mark = mark;
    }

    public static ExerciseData mark(Stack stack) {
        return new ExerciseData(stack, Long.parseLong(psql(stack, "SELECT coalesce(max(id), 0) FROM tasks")));
    }

    /** Deletes this run's tasks (their idempotency keys go with them); returns how many. */
    public long cleanUp() {
        long deleted = Long.parseLong(
                psql(
                        stack,
                        "WITH gone AS (DELETE FROM tasks WHERE id > " + mark
                                + " AND (title LIKE 'bench %' OR title LIKE 'drill %') RETURNING 1) SELECT count(*) FROM gone"));
        stack.postToAReplica("/cache/clear");
        return deleted;
    }

    private static String psql(Stack stack, String sql) {
        var db = stack.requireService(Stack.DB);
        return new PostgresContainer(stack.engine(), db.id(), Stack.DATABASE, Stack.DATABASE_USER)
                .psql(Stack.DATABASE, sql)
                .strip();
    }
}
