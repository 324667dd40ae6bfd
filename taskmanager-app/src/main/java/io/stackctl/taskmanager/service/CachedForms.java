package io.stackctl.taskmanager.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stackctl.taskmanager.task.Task;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;

/**
 * The JSON a task and a list are cached as, encoded once: the same bytes go into Redis and into every answer that
 * reads them, so a cache hit does no JSON work at all.
 */
public final class CachedForms {

    private final ObjectMapper json;

    public CachedForms(ObjectMapper json) {
        this.json = json;
    }

    /** {@code {"id":...}}. */
    public byte[] task(Task task) {
        return encode(task);
    }

    /** {@code "count":N,"tasks":[...]}: an object's members without its braces, for an answer to wrap. */
    public byte[] listMembers(List<Task> tasks) {
        byte[] object = encode(new TaskList(tasks.size(), tasks));
        return Arrays.copyOfRange(object, 1, object.length - 1);
    }

    private byte[] encode(Object value) {
        try {
            return json.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot encode " + value.getClass().getSimpleName(), e);
        }
    }

    private record TaskList(int count, List<Task> tasks) {}
}
