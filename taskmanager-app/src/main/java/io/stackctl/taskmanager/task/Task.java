package io.stackctl.taskmanager.task;

import java.time.Instant;

/** A stored task, as the API returns it (snake_case field names on the wire), with the id of its owner. */
public record Task(
        long id,
        String title,
        String description,
        TaskStatus status,
        Instant createdAt,
        Instant updatedAt,
        long ownerId) {}
