package io.stackctl.taskmanager.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stackctl.taskmanager.task.Task;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Encodes tasks once, into the bytes that are both cached and sent. A read answer is the cached bytes
 * between a fixed prefix naming the source and a closing brace, so a cache hit does no JSON work at all.
 */
final class TaskEncoder {

    /** Each source carries its answer heads, encoded once: the read path only copies bytes. */
    enum Source {
        CACHE,
        DATABASE;

        private final byte[] taskHead = head(",\"task\":");
        private final byte[] listHead = head(",");

        private byte[] head(String tail) {
            return ("{\"source\":\"" + name().toLowerCase() + "\"" + tail).getBytes(StandardCharsets.UTF_8);
        }
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
    byte[] taskAnswer(Source source, byte[] task) {
        return join(source.taskHead, task);
    }

    /** {@code {"source":S,<list members>}}. */
    byte[] listAnswer(Source source, byte[] members) {
        return join(source.listHead, members);
    }

    byte[] message(String message, Task task) throws JsonProcessingException {
        return json.writeValueAsBytes(new TaskMessage(message, task));
    }

    private static byte[] join(byte[] head, byte[] body) {
        byte[] answer = Arrays.copyOf(head, head.length + body.length + 1);
        System.arraycopy(body, 0, answer, head.length, body.length);
        answer[answer.length - 1] = '}';
        return answer;
    }

    private record TaskMessage(String message, Task task) {}

    private record TaskList(int count, List<Task> tasks) {}
}
