package io.stackctl.drill;

import io.stackctl.client.ApiAccess;
import io.stackctl.client.Seeder;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A steady mixed load through nginx at a fixed arrival rate (open model: a slow answer does not delay the
 * next request, so latency is not hidden). Per ten requests: one create, one list, eight reads of seeded
 * tasks. Every request is bounded by {@link #HANG_BOUND}; the total is bounded by {@code maxRequests}. Creates
 * carry an Idempotency-Key, so a request whose connection died unanswered is tried again (within a second).
 */
public final class LoadGenerator implements AutoCloseable {

    /** A request without an answer after this long counts as hung. */
    public static final Duration HANG_BOUND = Duration.ofSeconds(5);

    private static final Duration RETRY_WITHIN = Duration.ofSeconds(1);
    /**
     * A 5x spike holds a hundred connections or more, and one reload of nginx closes every idle one: two creates met
     * three closed connections in a row on a busy host (CI), so the second, not the count, is the bound that matters.
     */
    private static final int ATTEMPTS = 8;

    private static final Duration RETRY_PAUSE = Duration.ofMillis(20);

    private final ApiAccess api;
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
    private final AtomicLong retries = new AtomicLong();
    /** This run's own (tagged) create titles: a duplicated create can be found, and only these are removed. */
    private final String titlePrefix;

    private long startNanos;
    private java.util.concurrent.ScheduledFuture<?> schedule;

    public LoadGenerator(ApiAccess api, List<Long> readIds, long maxRequests, String titlePrefix) {
        if (readIds.isEmpty()) {
            throw new IllegalArgumentException("the load needs seeded tasks to read");
        }
        this.titlePrefix = titlePrefix;
        this.api = api;
        this.readIds = List.copyOf(readIds);
        this.maxRequests = maxRequests;
    }

    public void start(int ratePerSecond) {
        startNanos = System.nanoTime();
        rate(ratePerSecond);
    }

    /** Changes the arrival rate from now on (load-spike's surge and its end). */
    public synchronized void rate(int ratePerSecond) {
        if (schedule != null) {
            schedule.cancel(false);
        }
        schedule = ticker.scheduleAtFixedRate(this::fire, 0, 1_000_000_000L / ratePerSecond, TimeUnit.NANOSECONDS);
    }

    /** Milliseconds since the load started, on the same clock as {@link Sample#startMs()}. */
    public long now() {
        return at(System.nanoTime());
    }

    /** A {@link System#nanoTime()} reading on this load's clock (ms since it started). */
    public long at(long nanoTime) {
        return (nanoTime - startNanos) / 1_000_000;
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
                    api.request("/tasks")
                            .header("Content-Type", "application/json")
                            .header("Idempotency-Key", UUID.randomUUID().toString())
                            .POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"" + titlePrefix + n + "\"}")));
        } else if (slot == 5) {
            send("list", true, api.request("/tasks?limit=20").GET());
        } else {
            long id = readIds.get((int) (n % readIds.size()));
            send("read", true, api.request("/tasks/" + id).GET());
        }
    }

    private void send(String kind, boolean idempotent, HttpRequest.Builder request) {
        long start = now();
        long startNs = System.nanoTime();
        var future = attempt(request.timeout(HANG_BOUND).build(), startNs, 1).handle((response, error) -> {
            long latency = (System.nanoTime() - startNs) / 1_000_000;
            if (error != null) {
                boolean timedOut =
                        error instanceof HttpTimeoutException || error.getCause() instanceof HttpTimeoutException;
                samples.add(new Sample(
                        start, latency, kind, idempotent, 0, "", "", 0, timedOut, transportError(error), -1));
            } else {
                samples.add(sample(kind, idempotent, start, latency, response));
            }
            return null;
        });
        inFlight.add(future);
    }

    /**
     * Tries again when the connection died before any answer came, as browsers and Go's client do: nginx closes
     * idle keep-alive connections on a reload, and a request already on its way dies with them (RFC 9112 9.3.1
     * asks clients to recover). Safe for reads, and for creates because each carries an Idempotency-Key. The
     * pool may hold many connections the same reload closed, so up to {@link #ATTEMPTS} tries, a short pause
     * apart (growing) so the client sees the other closes first. Never after a timeout, and only within {@link
     * #RETRY_WITHIN}.
     */
    private CompletableFuture<HttpResponse<String>> attempt(HttpRequest request, long startNs, int attempt) {
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).exceptionallyCompose(error -> {
            Throwable cause =
                    error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            boolean closedBeforeAnswer = cause instanceof IOException && !(cause instanceof HttpTimeoutException);
            if (!closedBeforeAnswer || attempt >= ATTEMPTS || System.nanoTime() - startNs > RETRY_WITHIN.toNanos()) {
                return CompletableFuture.failedFuture(cause);
            }
            retries.incrementAndGet();
            var pause = CompletableFuture.delayedExecutor(RETRY_PAUSE.toMillis() * attempt, TimeUnit.MILLISECONDS);
            return CompletableFuture.supplyAsync(() -> null, pause)
                    .thenCompose(ignored -> attempt(request, startNs, attempt + 1));
        });
    }

    /** Tries beyond the first, after a connection closed before any answer. */
    public long retries() {
        return retries.get();
    }

    public String titlePrefix() {
        return titlePrefix;
    }

    private static Sample sample(
            String kind, boolean idempotent, long start, long latency, HttpResponse<String> response) {
        String body = response.body();
        String instance = response.headers().firstValue("X-Instance").orElse("");
        String source = body.contains("\"source\":\"cache\"")
                ? "cache"
                : body.contains("\"source\":\"database\"") ? "database" : "";
        long created = kind.equals("create") && response.statusCode() == 201 ? Seeder.createdId(body) : 0;
        String detail = response.statusCode() / 100 == 2 ? "" : abbreviate(body.strip());
        String timing = response.headers().firstValue("Server-Timing").orElse("");
        long lost =
                Sample.lostMs(response.headers().firstValue("X-Upstream-Times").orElse(""));
        return new Sample(
                start,
                latency,
                kind,
                idempotent,
                response.statusCode(),
                instance,
                source,
                created,
                false,
                detail,
                lost,
                Sample.dbMs(timing),
                Sample.appMs(timing));
    }

    private static String transportError(Throwable error) {
        Throwable cause = error.getCause() != null ? error.getCause() : error;
        return abbreviate(
                cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : " " + cause.getMessage()));
    }

    private static String abbreviate(String text) {
        String line = text.replaceAll("\\s+", " ");
        return line.length() <= 160 ? line : line.substring(0, 160) + "...";
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
