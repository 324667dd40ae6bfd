package io.stackctl.taskmanager;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.InputFormat;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The API's real answers held against its OpenAPI document ({@code openapi.json}, the one the app serves): for a
 * request that reached a documented route, the status must be documented for it (or covered by {@code default}) and
 * the body must fit that answer's schema, checked with the OpenAPI 3.1 dialect of JSON Schema. Every answer the
 * {@link Api} client receives passes through here, so every API test is also a contract test.
 */
public final class ApiContract {

    static final String RESOURCE = "openapi.json";
    private static final ObjectMapper JSON = new ObjectMapper();
    static final JsonNode DOCUMENT = load();
    private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDialect(Dialects.getOpenApi31());

    private ApiContract() {}

    /** Fails the test, naming each mismatch, when the answer does not fit the document. */
    public static void check(String method, String path, HttpResponse<String> response) {
        var problems = problems(
                method,
                path,
                response.statusCode(),
                response.headers().firstValue("Content-Type").orElse(""),
                response.body());
        if (!problems.isEmpty()) {
            throw new AssertionError("the answer to " + method + " " + path + " (" + response.statusCode() + " "
                    + abbreviate(response.body()) + ") does not fit openapi.json: " + String.join("; ", problems));
        }
    }

    /** What does not fit; empty when it all does, or when the request reached no route the document names. */
    static List<String> problems(String method, String rawPath, int status, String contentType, String body) {
        var template = templateOf(rawPath);
        if (template.isEmpty()) {
            return List.of();
        }
        String verb = method.toLowerCase(Locale.ROOT);
        JsonNode operation = DOCUMENT.path("paths").path(template.get()).path(verb);
        if (operation.isMissingNode()) {
            return List.of(); // a 405: the route exists, this method does not
        }
        String statusKey = Integer.toString(status);
        JsonNode responses = operation.path("responses");
        String pointer = "/paths/" + escape(template.get()) + "/" + verb + "/responses/";
        JsonNode answer = responses.path(statusKey);
        if (answer.isMissingNode()) {
            answer = responses.path("default");
            statusKey = "default";
            if (answer.isMissingNode()) {
                return List.of("status " + status + " is not documented for " + method + " " + template.get());
            }
        }
        pointer += statusKey;
        if (answer.has("$ref")) {
            pointer = answer.get("$ref").asText().substring(1);
            answer = DOCUMENT.at(pointer);
        }
        JsonNode content = answer.path("content");
        if (content.isMissingNode()) {
            return body.isEmpty()
                    ? List.of()
                    : List.of(status + " is documented without a body, but one came: " + abbreviate(body));
        }
        String mediaType = contentType.split(";")[0].strip();
        if (!content.has(mediaType)) {
            return List.of("Content-Type " + contentType + " is not documented for " + status + " ("
                    + fieldNames(content) + ")");
        }
        if (!mediaType.equals("application/json")) {
            return List.of();
        }
        var schema = SCHEMAS.getSchema(SchemaLocation.of(
                "classpath:" + RESOURCE + "#" + pointer + "/content/" + escape(mediaType) + "/schema"));
        return schema.validate(body, InputFormat.JSON).stream()
                .map(error -> error.toString())
                .toList();
    }

    /** The document's path template that a request path reaches, as Javalin matches it. */
    static Optional<String> templateOf(String rawPath) {
        String path;
        try {
            path = URI.create(rawPath.split("\\?")[0]).getPath().replaceAll("/{2,}", "/");
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // not a path a server could route
        }
        if (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        for (Iterator<String> it = DOCUMENT.path("paths").fieldNames(); it.hasNext(); ) {
            String template = it.next();
            String regex = Pattern.quote(template).replaceAll("\\{[^}/]+}", "\\\\E[^/]+\\\\Q");
            if (path.matches(regex)) {
                return Optional.of(template);
            }
        }
        return Optional.empty();
    }

    /** JSON Pointer's escaping of one reference token. */
    private static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }

    private static String fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return String.join(", ", names);
    }

    private static String abbreviate(String body) {
        return body.length() > 300 ? body.substring(0, 300) + "..." : body;
    }

    private static JsonNode load() {
        try (InputStream in = ApiContract.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the classpath");
            }
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
