package io.stackctl.taskmanager.cache;

import io.stackctl.taskmanager.task.TaskQuery;
import io.stackctl.taskmanager.task.TaskStatus;

/**
 * Redis key layout. List keys carry the list generation: a write bumps the generation with one INCR and
 * every cached list becomes unreachable at once (they expire by TTL), so no write ever scans keys.
 */
public final class CacheKeys {

    static final String PREFIX = "tm:";
    static final String GENERATION = PREFIX + "tasks:gen";
    static final String TASK_PATTERN = PREFIX + "task:*";
    static final String LIST_PATTERN = PREFIX + "tasks:list:*";

    private CacheKeys() {}

    public static String task(long id) {
        return PREFIX + "task:" + id;
    }

    public static String list(long generation, TaskQuery query) {
        return PREFIX + "tasks:list:" + generation + ":"
                + query.status().map(TaskStatus::wire).orElse("all") + ":" + query.limit() + ":" + query.offset();
    }
}
