package io.stackctl.taskmanager.http;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A replica's first requests, sent by the replica to itself before {@code /ready} says yes. A fresh JVM loads and
 * initialises hundreds of classes on its first real requests (JSON, JDBC, Redis, token checks): measured on two
 * busy cores, the first requests after a restart took over a second, and a drill saw one. These reads go through
 * every layer (auth, cache, database, JSON) and change nothing; bounded in count and time.
 */
final class WarmUp {

    private static final Logger log = LoggerFactory.getLogger(WarmUp.class);

    // Enough for every path's classes to load and its hot methods to pass the first compiler's threshold: in the
    // stack (one CPU, busy) 300 took 4-5 s of a replica's 11 s to ready, and the last 200 of them bought nothing
    // the kill-replica drill could see.
    static final int REQUESTS = 100;
    static final Duration BUDGET = Duration.ofSeconds(3);
    private static final List<String> PATHS =
            List.of("/tasks?limit=20", "/tasks/1", "/tasks?status=pending&limit=5", "/health", "/live", "/auth/me");

    private WarmUp() {}

    /** @param credential the operator token, so the reads pass the gate as they will for clients; empty: none */
    static void run(int port, String credential) {
        long start = System.nanoTime();
        long deadline = start + BUDGET.toNanos();
        var client =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        int sent = 0;
        try {
            while (sent < REQUESTS && System.nanoTime() < deadline) {
                var request = HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + port + PATHS.get(sent % PATHS.size())))
                        .timeout(Duration.ofSeconds(2))
                        .header("X-Request-ID", "warmup-" + sent);
                if (!credential.isEmpty()) {
                    request.header("Authorization", "Bearer " + credential);
                }
                client.send(request.build(), HttpResponse.BodyHandlers.discarding());
                sent++;
            }
        } catch (java.io.IOException e) {
            log.warn("warm-up stopped after {} requests: {}", sent, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("warmed up with {} requests in {} ms", sent, (System.nanoTime() - start) / 1_000_000);
    }
}
