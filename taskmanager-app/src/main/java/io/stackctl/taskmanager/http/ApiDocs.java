package io.stackctl.taskmanager.http;

import io.javalin.config.RoutesConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * {@code GET /openapi.json}: the API described as OpenAPI 3.1, for people and for client generators. The document is
 * a resource of this jar, so a replica serves the description of exactly the routes it runs; the API tests check
 * every real answer against it.
 */
final class ApiDocs {

    static final String PATH = "/openapi.json";
    private static final String RESOURCE = "/openapi.json";

    private final byte[] document;

    ApiDocs() {
        try (InputStream in = ApiDocs.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the app's jar: rebuild it");
            }
            document = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE + " from the app's jar", e);
        }
    }

    void register(RoutesConfig routes) {
        routes.get(
                PATH,
                ctx -> ctx.contentType("application/json")
                        .header("Cache-Control", "public, max-age=300")
                        .result(document));
    }
}
