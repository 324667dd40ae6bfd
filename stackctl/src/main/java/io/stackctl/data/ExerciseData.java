package io.stackctl.data;

import io.stackctl.postgres.PostgresContainer;
import io.stackctl.stack.Stack;
import java.util.UUID;

/**
 * The tasks a drill or a benchmark writes into the live database, removed when it is done: a run marks the newest
 * task id before it starts and gives every task it writes a title with its own random tag ({@link #titlePrefix});
 * afterwards it deletes the tasks above the mark that carry the tag, then clears the cache so no replica serves them
 * from Redis. Anything else written meanwhile stays, whatever its title, whoever wrote it.
 */
public final class ExerciseData {

    private final Stack stack;
    private final long mark;
    private final String tag = UUID.randomUUID().toString().substring(0, 8);

    private ExerciseData(Stack stack, long mark) {
        this.stack = stack;
        this.mark = mark;
    }

    /** The start of every title this run writes: {@code kind} ("bench", "drill"), then the run's tag. */
    public String titlePrefix(String kind) {
        return kind + " " + tag + " ";
    }

    /** The statement that removes exactly this run's tasks: above the mark, and tagged. */
    static String cleanUpSql(long mark, String tag) {
        if (!tag.matches("[0-9a-f]{8}")) {
            throw new IllegalArgumentException("not a run tag: " + tag);
        }
        return "WITH gone AS (DELETE FROM tasks WHERE id > " + mark + " AND (title LIKE 'bench " + tag
                + " %' OR title LIKE 'drill " + tag + " %') RETURNING 1) SELECT count(*) FROM gone";
    }

    public static ExerciseData mark(Stack stack) {
        return new ExerciseData(stack, Long.parseLong(psql(stack, "SELECT coalesce(max(id), 0) FROM tasks")));
    }

    /** Deletes this run's tasks (their idempotency keys go with them); returns how many. */
    public long cleanUp() {
        long deleted = Long.parseLong(psql(stack, cleanUpSql(mark, tag)));
        stack.postToAReplica("/cache/clear");
        return deleted;
    }

    private static String psql(Stack stack, String sql) {
        return PostgresContainer.of(stack).psql(Stack.DATABASE, sql).strip();
    }
}
