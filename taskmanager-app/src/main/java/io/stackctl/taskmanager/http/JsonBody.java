package io.stackctl.taskmanager.http;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;

/** Reads a JSON request body: right content type, at most {@link #MAX_BYTES}, also when sent chunked. */
final class JsonBody {

    static final int MAX_BYTES = 1024 * 1024;

    private JsonBody() {}

    static byte[] read(Context ctx) throws IOException {
        requireJsonContentType(ctx.contentType());
        if (ctx.req().getContentLengthLong() > MAX_BYTES) {
            throw tooLarge();
        }
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] body = in.readNBytes(MAX_BYTES + 1);
            if (body.length > MAX_BYTES) {
                throw tooLarge();
            }
            return body;
        }
    }

    static void requireJsonContentType(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            throw unsupported("no Content-Type was sent");
        }
        String[] parts = contentType.split(";");
        if (!parts[0].strip().equalsIgnoreCase("application/json")) {
            throw unsupported("got '" + contentType + "'");
        }
        for (int i = 1; i < parts.length; i++) {
            String parameter = parts[i].strip().toLowerCase(Locale.ROOT).replace("\"", "");
            if (parameter.startsWith("charset=") && !parameter.equals("charset=utf-8")) {
                throw unsupported("only UTF-8 is accepted, got '" + contentType + "'");
            }
        }
    }

    private static ApiException unsupported(String why) {
        return new ApiException(415, "unsupported content type", "send Content-Type: application/json; " + why);
    }

    private static ApiException tooLarge() {
        return new ApiException(413, "request body too large", "the body must be at most " + MAX_BYTES + " bytes");
    }
}
