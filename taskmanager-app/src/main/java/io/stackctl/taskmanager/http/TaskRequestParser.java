package io.stackctl.taskmanager.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stackctl.taskmanager.task.NewTask;
import io.stackctl.taskmanager.task.TaskPatch;
import io.stackctl.taskmanager.task.TaskQuery;
import io.stackctl.taskmanager.task.TaskStatus;
import java.io.IOException;
import java.util.Iterator;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Turns raw request input (body bytes, path and query parameters) into validated domain requests. Every
 * rejection names the field and why, so a client can fix the request without reading the code.
 */
public final class TaskRequestParser {

    public static final int MAX_TITLE_CHARS = 200;
    public static final int MAX_DESCRIPTION_CHARS = 10_000;
    private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7e]{1,255}");
    private static final Set<String> FIELDS = Set.of("title", "description", "status");

    private final ObjectMapper json;

    public TaskRequestParser(ObjectMapper json) {
        this.json = json;
    }

    public NewTask parseCreate(byte[] body) {
        return parseCreate(parseObject(body));
    }

    /** For callers that already hold the fields, such as the HTML form. */
    public NewTask parseCreate(ObjectNode object) {
        if (!object.has("title")) {
            throw ApiException.invalidField("title", "is required");
        }
        String title = title(object.get("title"));
        String description = object.has("description") ? description(object.get("description")) : null;
        TaskStatus status = object.has("status") ? status(object.get("status")) : TaskStatus.PENDING;
        return new NewTask(title, description, status);
    }

    public TaskPatch parseUpdate(byte[] body) {
        return parseUpdate(parseObject(body));
    }

    /** An update already in JSON form (the page's edit form builds one). */
    public TaskPatch parseUpdate(ObjectNode object) {
        if (object.isEmpty()) {
            throw ApiException.badRequest("nothing to update", "send at least one of title, description, status");
        }
        Optional<String> title = object.has("title") ? Optional.of(title(object.get("title"))) : Optional.empty();
        boolean clearDescription =
                object.has("description") && object.get("description").isNull();
        Optional<String> description = object.has("description") && !clearDescription
                ? Optional.of(description(object.get("description")))
                : Optional.empty();
        Optional<TaskStatus> status =
                object.has("status") ? Optional.of(status(object.get("status"))) : Optional.empty();
        return new TaskPatch(title, description, clearDescription, status);
    }

    /** A task id from the path: a positive 64-bit integer. */
    public static long parseId(String raw) {
        try {
            long id = Long.parseLong(raw);
            if (id > 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            if (raw.matches("\\d+")) {
                throw ApiException.badRequest("invalid id", "id is out of range (max " + Long.MAX_VALUE + ")");
            }
        }
        throw ApiException.badRequest("invalid id", "id must be a positive whole number, got '" + raw + "'");
    }

    /**
     * The optional {@code Idempotency-Key} header of a create: 1 to 255 visible ASCII characters (a UUID is
     * the usual choice); empty when the header is absent.
     */
    public static Optional<String> parseIdempotencyKey(String raw) {
        if (raw == null) {
            return Optional.empty();
        }
        if (!IDEMPOTENCY_KEY.matcher(raw).matches()) {
            throw ApiException.badRequest(
                    "invalid Idempotency-Key",
                    "the key must be 1 to 255 visible ASCII characters without spaces, e.g. a UUID");
        }
        return Optional.of(raw);
    }

    public static TaskQuery parseQuery(String status, String limit, String offset) {
        Optional<TaskStatus> parsedStatus = status == null
                ? Optional.empty()
                : Optional.of(TaskStatus.fromWire(status)
                        .orElseThrow(() -> ApiException.invalidField(
                                "status", "must be one of " + TaskStatus.ALLOWED + ", got '" + status + "'")));
        return new TaskQuery(
                parsedStatus,
                boundedInt("limit", limit, TaskQuery.DEFAULT_LIMIT, 1, TaskQuery.MAX_LIMIT),
                boundedInt("offset", offset, 0, 0, TaskQuery.MAX_OFFSET));
    }

    private static int boundedInt(String name, String raw, int fallback, int min, int max) {
        if (raw == null) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(raw);
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ApiException.invalidField(
                name, "must be a whole number from %d to %d, got '%s'".formatted(min, max, raw));
    }

    private ObjectNode parseObject(byte[] body) {
        return object(json, body, FIELDS, "a task field");
    }

    /** A JSON object body whose field names are all in {@code allowed} ({@code kind} names them in errors). */
    static ObjectNode object(ObjectMapper json, byte[] body, Set<String> allowed, String kind) {
        if (body.length == 0) {
            throw ApiException.badRequest("malformed JSON", "the request body is empty; send a JSON object");
        }
        JsonNode node;
        try {
            node = json.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("malformed JSON", e.getOriginalMessage() + locationOf(e));
        } catch (IOException e) {
            throw ApiException.badRequest("malformed JSON", "the body could not be read as JSON");
        }
        if (node == null || node.isMissingNode()) {
            throw ApiException.badRequest("malformed JSON", "the request body is empty; send a JSON object");
        }
        if (!(node instanceof ObjectNode object)) {
            throw ApiException.badRequest(
                    "malformed JSON",
                    "the body must be a JSON object, got "
                            + node.getNodeType().name().toLowerCase());
        }
        for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw ApiException.invalidField(
                        name, "is not " + kind + " (allowed: " + String.join(", ", new TreeSet<>(allowed)) + ")");
            }
        }
        return object;
    }

    private static String locationOf(JsonProcessingException e) {
        var location = e.getLocation();
        return location == null ? "" : " (line %d, column %d)".formatted(location.getLineNr(), location.getColumnNr());
    }

    private static String title(JsonNode node) {
        String value = text("title", node);
        if (value.isBlank()) {
            throw ApiException.invalidField("title", "must not be blank");
        }
        int length = value.codePointCount(0, value.length());
        if (length > MAX_TITLE_CHARS) {
            throw ApiException.invalidField(
                    "title", "must be at most %d characters, got %d".formatted(MAX_TITLE_CHARS, length));
        }
        return value;
    }

    private static String description(JsonNode node) {
        if (node.isNull()) {
            return null;
        }
        String value = text("description", node);
        int length = value.codePointCount(0, value.length());
        if (length > MAX_DESCRIPTION_CHARS) {
            throw ApiException.invalidField(
                    "description", "must be at most %d characters, got %d".formatted(MAX_DESCRIPTION_CHARS, length));
        }
        return value;
    }

    private static TaskStatus status(JsonNode node) {
        String value = text("status", node);
        return TaskStatus.fromWire(value)
                .orElseThrow(() -> ApiException.invalidField(
                        "status", "must be one of " + TaskStatus.ALLOWED + ", got '" + value + "'"));
    }

    /** A JSON string PostgreSQL can store verbatim: no NUL, no lone UTF-16 surrogate. */
    static String text(String field, JsonNode node) {
        if (!node.isTextual()) {
            throw ApiException.invalidField(
                    field, "must be a string, got " + node.getNodeType().name().toLowerCase());
        }
        String value = node.textValue();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\u0000') {
                throw ApiException.invalidField(field, "must not contain the NUL character (\\u0000)");
            }
            if (Character.isHighSurrogate(c)
                    && i + 1 < value.length()
                    && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw ApiException.invalidField(field, "contains an unpaired UTF-16 surrogate (invalid unicode)");
            }
        }
        return value;
    }
}
