package io.stackctl.taskmanager.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stackctl.taskmanager.task.Task;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Encodes tasks once, into the bytes that are both cached and sent. A read answer is the cached bytes
 * between a fixed prefix naming the source and a closing brace, so a cache hit does no JSON work at all.
 */
final class TaskEncoder {

    enum Source {
        CACHE,
        DATABASE;

        final String wire = name().toLowerCase();
    }

    private final ObjectMapper json;

    TaskEncoder(ObjectMapper json) {
        this.json = json;
    }

    /** {@code {"id":...}}: the cached form of one task. */
    byte[] task(Task task) throws JsonProcessingException {
        return json.writeValueAsBytes(task);
    }

    /** {@code "count":N,"tasks":[...]}: the cached form of a list, an object's members without braces. */
    byte[] listMembers(List<Task> tasks) throws JsonProcessingException {
        byte[] object = json.writeValueAsBytes(new TaskList(tasks.size(), tasks));
        return Arrays.copyOfRange(object, 1, object.length - 1);
    }

    /** {@code {"source":S,"task":<task>}}. */
    byte[] taskAnswer(Source source, byte[] task) throws JsonProcessingException {
        return join(prefix(source) + ",\"task\":", task);
    }

    /** {@code {"source":S,<list members>}}. */
    byte[] listAnswer(Source source, byte[] members) throws JsonProcessingException {
        return join(prefix(source) + ",", members);
    }

    byte[] message(String message, Task task) throws JsonProcessingException {
        return json.writeValueAsBytes(new TaskMessage(message, task));
    }

    private String prefix(Source source) throws JsonProcessingException {
        return "{\"source\":" + json.writeValueAsString(source.wire);
    }

    private static byte[] join(String head, byte[] body) {
        var out = new ByteArrayOutputStream(head.length() + body.length + 1);
        out.writeBytes(head.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(body);
        out.write('}');
        return out.toByteArray();
    }

    private record TaskMessage(String message, Task task) {}

    private record TaskList(int count, List<Task> tasks) {}
}
