package io.stackctl.drill;

import io.stackctl.perf.Seeder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A steady mixed load through nginx at a fixed arrival rate (open model: a slow answer does not delay the
 * next request, so latency is not hidden). Per ten requests: one create, one list, eight reads of seeded
 * tasks. Every request is bounded by {@link #HANG_BOUND}; the total is bounded by {@code maxRequests}.
 */
public final class LoadGenerator implements AutoCloseable {

    /** A request without an answer after this long counts as hung. */
    public static final Duration HANG_BOUND = Duration.ofSeconds(5);

    private final String baseUrl;
    private final List<Long> readIds;
    private final long maxRequests;
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(HANG_BOUND)
            .build();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        var thread = new Thread(r, "drill-load");
        thread.setDaemon(true);
        return thread;
    });
    private final Queue<Sample> samples = new ConcurrentLinkedQueue<>();
    private final Queue<CompletableFuture<?>> inFlight = new ConcurrentLinkedQueue<>();
    private final AtomicLong sent = new AtomicLong();
    private long startNanos;

    public LoadGenerator(String baseUrl, List<Long> readIds, long maxRequests) {
        if (readIds.isEmpty()) {
            throw new IllegalArgumentException("the load needs seeded tasks to read");
        }
        this.baseUrl = baseUrl;
        this.readIds = List.copyOf(readIds);
        this.maxRequests = maxRequests;
    }

    public void start(int ratePerSecond) {
        startNanos = System.nanoTime();
        ticker.scheduleAtFixedRate(this::fire, 0, 1_000_000_000L / ratePerSecond, TimeUnit.NANOSECONDS);
    }

    /** Milliseconds since the load started, on the same clock as {@link Sample#startMs()}. */
    public long now() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    private void fire() {
        long n = sent.getAndIncrement();
        if (n >= maxRequests) {
            return;
        }
        inFlight.removeIf(CompletableFuture::isDone);
        int slot = (int) (n % 10);
        if (slot == 0) {
            send(
                    "create",
                    false,
                    HttpRequest.newBuilder(URI.create(baseUrl + "/tasks"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"drill write " + n + "\"}")));
        } else if (slot == 5) {
            send(
                    "list",
                    true,
                    HttpRequest.newBuilder(URI.create(baseUrl + "/tasks?limit=20"))
                            .GET());
        } else {
            long id = readIds.get((int) (n % readIds.size()));
            send(
                    "read",
                    true,
                    HttpRequest.newBuilder(URI.create(baseUrl + "/tasks/" + id)).GET());
        }
    }

    private void send(String kind, boolean idempotent, HttpRequest.Builder request) {
        long start = now();
        long startNs = System.nanoTime();
        var future = client.sendAsync(request.timeout(HANG_BOUND).build(), HttpResponse.BodyHandlers.ofString())
                .handle((response, error) -> {
                    long latency = (System.nanoTime() - startNs) / 1_000_000;
                    if (error != null) {
                        boolean timedOut = error instanceof HttpTimeoutException
                                || error.getCause() instanceof HttpTimeoutException;
                        samples.add(new Sample(start, latency, kind, idempotent, 0, "", "", 0, timedOut));
                    } else {
                        samples.add(sample(kind, idempotent, start, latency, response));
                    }
                    return null;
                });
        inFlight.add(future);
    }

    private static Sample sample(
            String kind, boolean idempotent, long start, long latency, HttpResponse<String> response) {
        String body = response.body();
        String instance = response.headers().firstValue("X-Instance").orElse("");
        String source = body.contains("\"source\":\"cache\"")
                ? "cache"
                : body.contains("\"source\":\"database\"") ? "database" : "";
        long created = kind.equals("create") && response.statusCode() == 201 ? Seeder.createdId(body) : 0;
        return new Sample(start, latency, kind, idempotent, response.statusCode(), instance, source, created, false);
    }

    /** Stops sending and waits for the requests in flight (each is bounded by {@link #HANG_BOUND}). */
    public List<Sample> stop() {
        ticker.shutdownNow();
        long deadline = System.nanoTime() + HANG_BOUND.plusSeconds(2).toNanos();
        for (CompletableFuture<?> future : inFlight) {
            long left = deadline - System.nanoTime();
            try {
                future.get(Math.max(1, left), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                // recorded as a failed sample by the handler, or abandoned past the bound
            }
        }
        return samples();
    }

    public List<Sample> samples() {
        var all = new ArrayList<>(samples);
        all.sort(java.util.Comparator.comparingLong(Sample::startMs));
        return all;
    }

    @Override
    public void close() {
        ticker.shutdownNow();
    }
}
