package io.stackctl.taskmanager;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a flood of logins (random usernames, so no per-username limit applies) does to one replica's ordinary
 * reads: one client reads {@code GET /tasks?limit=20} with the admin's token, sequentially, first alone and then while
 * {@link #FLOODERS} clients send logins as fast as they are answered. Prints the reads' percentiles both times and
 * the flood's rate and answers. A benchmark, not a test: run it by hand (README, "Users and authentication") and
 * read the figures; nothing here passes or fails.
 */
public final class LoginFloodBenchmark {

    private static final int FLOODERS = 64;
    private static final Duration PHASE = Duration.ofSeconds(15);

    private LoginFloodBenchmark() {}

    public static void main(String[] args) throws Exception {
        try (var stack = TestStack.start("bench-flood", 0, 0)) {
            // The admin: not rate limited, so the reads measure the replica, not the per-user limit.
            var reader = new Api(stack.app.port()).login("admin", Containers.ADMIN_PASSWORD);
            for (int i = 0; i < 20; i++) {
                reader.create("read me " + i);
            }
            read(reader, Duration.ofSeconds(5)); // warm-up
            report("reads alone", read(reader, PHASE));

            var stop = new AtomicBoolean();
            var answers = new ConcurrentHashMap<Integer, LongAdder>();
            ExecutorService pool = Executors.newFixedThreadPool(FLOODERS);
            var anonymous = new Api(stack.app.port());
            long floodStart = System.nanoTime();
            for (int i = 0; i < FLOODERS; i++) {
                pool.submit(() -> {
                    while (!stop.get()) {
                        String name = "flood" + UUID.randomUUID().toString().substring(0, 12);
                        int status = anonymous
                                .post("/auth/login", "{\"username\":\"" + name + "\",\"password\":\"a guess\"}")
                                .statusCode();
                        answers.computeIfAbsent(status, s -> new LongAdder()).increment();
                    }
                });
            }
            Thread.sleep(2_000); // the flood at full rate before the reads are measured
            long[] flooded = read(reader, PHASE);
            stop.set(true);
            pool.shutdown();
            pool.awaitTermination(60, TimeUnit.SECONDS);
            double seconds = (System.nanoTime() - floodStart) / 1e9;
            report("reads during the login flood", flooded);
            Map<Integer, Long> byStatus = new TreeMap<>();
            answers.forEach((status, count) -> byStatus.put(status, count.sum()));
            long total = byStatus.values().stream().mapToLong(Long::longValue).sum();
            System.out.printf(
                    "login flood: %d clients, %d logins in %.1f s = %.0f a second; answers %s%n",
                    FLOODERS, total, seconds, total / seconds, byStatus);
        }
    }

    private static long[] read(Api reader, Duration phase) {
        List<Long> micros = new ArrayList<>();
        long end = System.nanoTime() + phase.toNanos();
        while (System.nanoTime() < end) {
            long start = System.nanoTime();
            int status = reader.get("/tasks?limit=20").statusCode();
            if (status != 200) {
                throw new IllegalStateException("a read answered " + status);
            }
            micros.add((System.nanoTime() - start) / 1000);
        }
        long[] sorted = micros.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(sorted);
        return sorted;
    }

    private static void report(String what, long[] sorted) {
        System.out.printf(
                "%-30s n=%d  p50 %d us  p90 %d us  p99 %d us  max %d us%n",
                what,
                sorted.length,
                sorted[sorted.length / 2],
                sorted[sorted.length * 9 / 10],
                sorted[sorted.length * 99 / 100],
                sorted[sorted.length - 1]);
    }
}
