package io.stackctl.taskmanager.task;

import java.util.Optional;

/** A validated list query: optional status filter and a page. */
public record TaskQuery(Optional<TaskStatus> status, int limit, int offset) {

    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;
    public static final int MAX_OFFSET = 1_000_000;
}
