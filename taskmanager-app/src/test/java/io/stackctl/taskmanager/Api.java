package io.stackctl.taskmanager;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A small HTTP client for the API under test, anonymous or acting as one user (their bearer token). */
public final class Api {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Every test user's password: long enough, and it contains no test username. */
    public static final String PASSWORD = "correct horse battery staple";

    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final String base;
    private final String token;

    public Api(int port) {
        this("http://127.0.0.1:" + port, null);
    }

    private Api(String base, String token) {
        this.base = base;
        this.token = token;
    }

    /** The same server, sending this token (null: none). */
    public Api withToken(String token) {
        return new Api(base, token);
    }

    public String token() {
        return token;
    }

    /** Registers {@code username} (password {@link #PASSWORD}) and acts as them from now on. */
    public Api registerAndLogin(String username) {
        var registered = withToken(null)
                .post(
                        "/auth/register",
                        "{\"username\":\"" + username + "\",\"email\":\"" + username + "@example.org\",\"password\":\""
                                + PASSWORD + "\"}");
        if (registered.statusCode() != 201) {
            throw new IllegalStateException(
                    "register " + username + " failed: " + registered.statusCode() + " " + registered.body());
        }
        return login(username, PASSWORD);
    }

    /** Logs in and acts as that user from now on. */
    /**
     * Wrong-password logins for {@code username}, {@code before} run ahead of each; their statuses. 21 of them
     * cannot all fit in the two minute-windows they may straddle while the limit is 10 a minute.
     */
    public java.util.List<Integer> guessPasswords(String username, int attempts, Runnable before) {
        var statuses = new java.util.ArrayList<Integer>();
        for (int i = 0; i < attempts; i++) {
            before.run();
            statuses.add(withToken(null)
                    .post("/auth/login", "{\"username\":\"" + username + "\",\"password\":\"guess " + i + "\"}")
                    .statusCode());
        }
        return statuses;
    }

    public Api login(String username, String password) {
        var response = withToken(null)
                .post("/auth/login", "{\"username\":\"" + username + "\",\"password\":\"" + password + "\"}");
        if (response.statusCode() != 200) {
            throw new IllegalStateException(
                    "login " + username + " failed: " + response.statusCode() + " " + response.body());
        }
        return withToken(json(response).get("token").asText());
    }

    public HttpResponse<String> get(String path) {
        return send("GET", path, null, null);
    }

    public HttpResponse<String> post(String path, String json) {
        return send("POST", path, "application/json", json);
    }

    public HttpResponse<String> put(String path, String json) {
        return send("PUT", path, "application/json", json);
    }

    public HttpResponse<String> delete(String path) {
        return send("DELETE", path, null, null);
    }

    public HttpResponse<String> post(String path, String json, String idempotencyKey) {
        return send("POST", path, "application/json", json, "Idempotency-Key", idempotencyKey);
    }

    public HttpResponse<String> send(String method, String path, String contentType, String body, String... headers) {
        var request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(15))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        boolean authorizationGiven = false;
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
            authorizationGiven |= headers[i].equalsIgnoreCase("Authorization");
        }
        if (token != null && !authorizationGiven) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            var response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
            ApiContract.check(method, path, response);
            return response;
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + response.body(), e);
        }
    }

    /** Creates a task and returns its id. */
    public long create(String title) {
        var response = post("/tasks", "{\"title\":\"" + title + "\"}");
        if (response.statusCode() != 201) {
            throw new IllegalStateException("create failed: " + response.statusCode() + " " + response.body());
        }
        return json(response).at("/task/id").asLong();
    }
}
