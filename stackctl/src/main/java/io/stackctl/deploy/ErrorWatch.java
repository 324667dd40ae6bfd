package io.stackctl.deploy;

import io.stackctl.client.ApiAccess;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Watches the error rate through nginx while a rollout runs: a steady trickle of reads ({@code GET /tasks?limit=1},
 * which needs a replica, the cache or the database) on kept-alive connections, as a client would send them.
 * A rollout that makes clients fail is stopped and rolled back, whatever the health checks say.
 */
public final class ErrorWatch implements AutoCloseable {

    static final Duration INTERVAL = Duration.ofMillis(100);
    static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final int KEEP_FAILURES = 5;

    // HTTP/1.1 keep-alive, as a fleet of ordinary clients reaches nginx (over HTTPS too, where the JDK would pick h2).
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT)
            .build();
    private final HttpRequest target;
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
    private final Thread thread;
    private volatile boolean running = true;

    private ErrorWatch(ApiAccess api) {
        this.target = api.request("/tasks?limit=1").timeout(TIMEOUT).GET().build();
        this.thread = new Thread(this::loop, "deploy-error-watch");
        this.thread.setDaemon(true);
    }

    public static ErrorWatch start(ApiAccess api) {
        var watch = new ErrorWatch(api);
        watch.thread.start();
        return watch;
    }

    public int sent() {
        return sent.get();
    }

    public int failed() {
        return failed.get();
    }

    /** True when more than {@code maxRate} of the requests failed, counting at least {@code minFailures}. */
    public boolean exceeded(double maxRate, int minFailures) {
        int total = sent.get();
        int bad = failed.get();
        return bad >= minFailures && total > 0 && bad > maxRate * total;
    }

    public List<String> firstFailures() {
        synchronized (failures) {
            return List.copyOf(failures);
        }
    }

    public String summary() {
        return failed() + " of " + sent() + " requests through nginx failed";
    }

    private void loop() {
        while (running) {
            long start = System.nanoTime();
            check();
            long left = INTERVAL.toMillis() - (System.nanoTime() - start) / 1_000_000;
            if (left > 0) {
                try {
                    Thread.sleep(left);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private void check() {
        sent.incrementAndGet();
        String problem;
        try {
            var response = sendTryingTwice();
            if (response.statusCode() == 200) {
                return;
            }
            problem = "HTTP " + response.statusCode() + " from "
                    + response.headers().firstValue("X-Instance").orElse("nginx");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
            sent.decrementAndGet();
            return;
        } catch (Exception e) {
            problem = e.getClass().getSimpleName() + " " + e.getMessage();
        }
        failed.incrementAndGet();
        if (failures.size() < KEEP_FAILURES) {
            failures.add(problem);
        }
    }

    /**
     * A reload closes nginx's idle keep-alive connections, and a request already on its way on one of them dies
     * unanswered (RFC 9112 9.3.1): a client tries such a GET again at once, as browsers do, and so does the watch.
     */
    private HttpResponse<Void> sendTryingTwice() throws IOException, InterruptedException {
        try {
            return client.send(target, HttpResponse.BodyHandlers.discarding());
        } catch (HttpTimeoutException e) {
            throw e;
        } catch (IOException e) {
            return client.send(target, HttpResponse.BodyHandlers.discarding());
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
