package io.stackctl.taskmanager.cache;

import io.stackctl.taskmanager.task.Scope;
import io.stackctl.taskmanager.task.TaskQuery;
import io.stackctl.taskmanager.task.TaskStatus;

/**
 * Redis key layout. Every key names whose data it holds (a task's owner, a list's scope), so a lookup can only
 * ever find what its own user may see. List keys carry the list generation: a write bumps the generation with
 * one INCR and every cached list becomes unreachable at once (they expire by TTL), so no write ever scans keys.
 */
public final class CacheKeys {

    static final String PREFIX = "tm:";
    static final String GENERATION = PREFIX + "tasks:gen";
    static final String TASK_PATTERN = PREFIX + "task:*";
    static final String LIST_PATTERN = PREFIX + "tasks:list:*";
    private static final String VERSION_PREFIX = PREFIX + "task:ver:";

    private CacheKeys() {}

    public static String task(long ownerId, long id) {
        return PREFIX + "task:" + ownerId + ":" + id;
    }

    /**
     * A task's write count: every change moves it on before the cached task is deleted, so a read that saw an older
     * count may not store what it read (it may predate the change) and never shares a load with a newer read.
     */
    static String taskVersion(long id) {
        return VERSION_PREFIX + id;
    }

    static boolean isTaskVersion(String key) {
        return key.startsWith(VERSION_PREFIX);
    }

    /** The key releases before users wrote; an invalidation removes it too, for replicas still running them. */
    static String legacyTask(long id) {
        return PREFIX + "task:" + id;
    }

    public static String list(long generation, Scope scope, TaskQuery query) {
        return PREFIX + "tasks:list:" + generation + ":" + scope.cacheTag() + ":"
                + query.status().map(TaskStatus::wire).orElse("all") + ":" + query.limit() + ":" + query.offset();
    }

    static String rate(String subject, long window) {
        return PREFIX + "rate:" + subject + ":" + window;
    }
}
