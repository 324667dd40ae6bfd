package io.stackctl.taskmanager.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stackctl.taskmanager.service.TaskService;
import io.stackctl.taskmanager.task.Task;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The answers around tasks. A read answer is the cached bytes ({@link io.stackctl.taskmanager.service.CachedForms})
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

        static Source of(TaskService.Read read) {
            return read.fromCache() ? CACHE : DATABASE;
        }
    }

    private final ObjectMapper json;

    TaskEncoder(ObjectMapper json) {
        this.json = json;
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
}
