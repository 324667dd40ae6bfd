package io.stackctl.taskmanager.http;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;

/** Reads a JSON request body: right content type, at most {@link #MAX_BYTES}, also when sent chunked. */
final class JsonBody {

    static final int MAX_BYTES = 1024 * 1024;

    /**
     * A refused body is still read (and dropped) up to this much, so a client still writing it reads our 413
     * instead of a connection reset; past it the connection is closed on it. nginx never passes more than 2 MiB.
     */
    static final long DRAIN_BYTES = 4L * MAX_BYTES;

    private JsonBody() {}

    static byte[] read(Context ctx) throws IOException {
        requireJsonContentType(ctx.contentType());
        try (InputStream in = ctx.req().getInputStream()) {
            if (ctx.req().getContentLengthLong() > MAX_BYTES) {
                drain(in, ctx.req().getContentLengthLong());
                throw tooLarge();
            }
            byte[] body = in.readNBytes(MAX_BYTES + 1);
            if (body.length > MAX_BYTES) {
                drain(in, DRAIN_BYTES);
                throw tooLarge();
            }
            return body;
        }
    }

    private static void drain(InputStream in, long declared) throws IOException {
        if (declared > DRAIN_BYTES) {
            return; // too much to read for nothing: the connection closes with the 413
        }
        byte[] sink = new byte[8192];
        long left = DRAIN_BYTES;
        int read;
        while (left > 0 && (read = in.read(sink, 0, (int) Math.min(sink.length, left))) >= 0) {
            left -= read;
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
