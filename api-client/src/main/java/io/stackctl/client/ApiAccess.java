package io.stackctl.client;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where the task API is and the bearer token its requests carry: the account a tool logged in as, or none when
 * the stack runs with {@code AUTH_MODE=off}.
 */
public record ApiAccess(String baseUrl, Optional<String> token) {

    private static final Pattern TOKEN = Pattern.compile("\"token\"\\s*:\\s*\"([A-Za-z0-9_.-]+)\"");
    // HTTP/1.1: JDK 17's HTTP/2 client may fail a request that races nginx's GOAWAY on a reload (JDK-8335181).
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    public static ApiAccess anonymous(String baseUrl) {
        return new ApiAccess(baseUrl, Optional.empty());
    }

    /**
     * Logs in through {@code POST /auth/login}; throws {@link LoginRefused} with the API's answer when the
     * credentials are refused or the answer holds no token.
     */
    public static ApiAccess login(String baseUrl, String username, String password) {
        String body = "{\"username\":\"" + jsonText(username) + "\",\"password\":\"" + jsonText(password) + "\"}";
        HttpResponse<String> response;
        try {
            response = CLIENT.send(
                    HttpRequest.newBuilder(URI.create(baseUrl + "/auth/login"))
                            .timeout(Duration.ofSeconds(15))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new LoginRefused(0, "POST " + baseUrl + "/auth/login failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LoginRefused(0, "interrupted while logging in");
        }
        var matcher = TOKEN.matcher(response.body());
        if (response.statusCode() != 200 || !matcher.find()) {
            throw new LoginRefused(response.statusCode(), response.body());
        }
        return new ApiAccess(baseUrl, Optional.of(matcher.group(1)));
    }

    /** A request to {@code path} with the token, when there is one. */
    public HttpRequest.Builder request(String path) {
        var builder = HttpRequest.newBuilder(URI.create(baseUrl + path));
        token.ifPresent(t -> builder.header("Authorization", "Bearer " + t));
        return builder;
    }

    /** The header value Gatling sends, when there is a token. */
    public Optional<String> authorization() {
        return token.map(t -> "Bearer " + t);
    }

    private static String jsonText(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    /** The API did not give a token: {@code status} 0 when it did not answer at all. */
    public static final class LoginRefused extends RuntimeException {
        private final int status;

        LoginRefused(int status, String answer) {
            super(status == 0 ? answer : "POST /auth/login answered " + status + ": " + answer);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }
}
