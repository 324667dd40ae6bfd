package io.stackctl.health;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** One bounded HTTP request, timed; never throws. */
public final class HttpProbe {

    static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final Duration timeout;
    private volatile HttpClient client;

    public HttpProbe() {
        this(TIMEOUT);
    }

    public HttpProbe(Duration timeout) {
        this.timeout = timeout;
    }

    /**
     * The client, made on first use. A JDK HttpClient builds the default TLS context and starts a selector thread
     * that waits in native code, and the JVM's exit waits up to 300 ms for threads in native code: a command that
     * never probes (a backup) paid both (measured: 0.35 s of every backup, most of it at exit).
     */
    private HttpClient client() {
        HttpClient made = client;
        if (made == null) {
            synchronized (this) {
                if (client == null) {
                    // HTTP/1.1 over HTTPS too: JDK 17's HTTP/2 client may fail a request that races nginx's GOAWAY on
                    // a reload (JDK-8335181, fixed in 24), and a probe must not report a reload as an outage.
                    client = HttpClient.newBuilder()
                            .version(HttpClient.Version.HTTP_1_1)
                            .connectTimeout(timeout)
                            .build();
                }
                made = client;
            }
        }
        return made;
    }

    public record Result(String url, int status, double millis, String error) {
        public boolean ok() {
            return status == 200;
        }

        public String summary() {
            return status > 0 ? "%d %.0fms".formatted(status, millis) : "error: " + error;
        }
    }

    /** An answer with its body, for the few callers that read what a replica says. */
    public record Answer(int status, String body, String error) {
        public boolean ok() {
            return status == 200;
        }
    }

    /** A GET with {@code Authorization: Bearer <credential>} (none when null), keeping the body; never throws. */
    public Answer fetch(String url, String credential) {
        try {
            var builder =
                    HttpRequest.newBuilder(URI.create(url)).timeout(timeout).GET();
            if (credential != null) {
                builder.header("Authorization", "Bearer " + credential);
            }
            var request = builder.build();
            var response = client().send(request, HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body(), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(0, "", "interrupted");
        } catch (Exception e) {
            return new Answer(0, "", e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
    }

    public Result get(String url) {
        return send("GET", url, null);
    }

    /** A POST without a body. */
    public Result post(String url) {
        return send("POST", url, null);
    }

    /** {@code method} to {@code url}, with {@code Authorization: Bearer <credential>} unless it is null. */
    public Result send(String method, String url, String credential) {
        HttpRequest request;
        try {
            var builder = HttpRequest.newBuilder(URI.create(url))
                    .timeout(timeout)
                    .method(method, HttpRequest.BodyPublishers.noBody());
            if (credential != null) {
                builder.header("Authorization", "Bearer " + credential);
            }
            request = builder.build();
        } catch (IllegalArgumentException e) {
            return new Result(url, 0, 0, "not a URL: " + e.getMessage());
        }
        return send(request);
    }

    private Result send(HttpRequest request) {
        String url = request.uri().toString();
        long start = System.nanoTime();
        try {
            var response = client().send(request, HttpResponse.BodyHandlers.discarding());
            return new Result(url, response.statusCode(), elapsed(start), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(url, 0, elapsed(start), "interrupted");
        } catch (Exception e) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return new Result(url, 0, elapsed(start), message);
        }
    }

    private static double elapsed(long start) {
        return (System.nanoTime() - start) / 1_000_000.0;
    }
}
