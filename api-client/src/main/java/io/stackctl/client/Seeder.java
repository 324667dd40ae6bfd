package io.stackctl.client;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/** Creates the tasks a run reads, through the API (so they are real rows), a few at a time. */
public final class Seeder {

    private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*(\\d+)");
    private static final int IN_FLIGHT = 16;

    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    /** Creates {@code count} tasks titled {@code titlePrefix + "seed " + n}; returns their ids. */
    public List<Long> seed(ApiAccess api, int count, String titlePrefix) {
        List<Long> ids = new ArrayList<>(count);
        for (int start = 0; start < count; start += IN_FLIGHT) {
            List<CompletableFuture<HttpResponse<String>>> batch = new ArrayList<>();
            for (int i = start; i < Math.min(count, start + IN_FLIGHT); i++) {
                batch.add(client.sendAsync(
                        api.request("/tasks")
                                .timeout(Duration.ofSeconds(10))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"" + titlePrefix + "seed " + i
                                        + "\",\"description\":\"seeded by stackctl bench\"}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            for (var future : batch) {
                var response = future.join();
                long id = response.statusCode() == 201 ? createdId(response.body()) : 0;
                if (id == 0) {
                    throw new IllegalStateException(
                            "seeding failed: POST /tasks answered " + response.statusCode() + " " + response.body());
                }
                ids.add(id);
            }
        }
        return ids;
    }

    /** The task id in a create's answer ({@code {"message":..,"task":{"id":N,..}}}), or 0 when there is none. */
    public static long createdId(String body) {
        var matcher = ID.matcher(body);
        return matcher.find() ? Long.parseLong(matcher.group(1)) : 0;
    }

    /** Reads every task once, so the read-heavy run starts on a warm cache. */
    public void warm(ApiAccess api, List<Long> ids) {
        for (long id : ids) {
            client.sendAsync(api.request("/tasks/" + id).build(), HttpResponse.BodyHandlers.discarding())
                    .join();
        }
    }

    /** Through nginx, an operator route: the access must be an admin's. */
    public int clearCache(ApiAccess api) {
        return client.sendAsync(
                        api.request("/cache/clear")
                                .POST(HttpRequest.BodyPublishers.noBody())
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .join()
                .statusCode();
    }
}
