package io.stackctl.taskmanager;

import io.stackctl.taskmanager.auth.AuthSettings;
import io.stackctl.taskmanager.auth.PasswordHasher;
import io.stackctl.taskmanager.auth.Role;
import io.stackctl.taskmanager.auth.Tokens;
import io.stackctl.taskmanager.auth.User;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;

/**
 * What authentication costs a cached read: the same {@code GET /tasks/{id}} cache hit, sequentially from one
 * client, against three in-process apps on one PostgreSQL and Redis: auth off, an admin's token (signature check
 * only) and a user's token (signature check plus the shared rate-limit count in Redis). Also the bare token
 * check and one Argon2id hash. A benchmark, not a test: run it by hand (README, "Authentication") and read the
 * figures; nothing here passes or fails.
 */
public final class AuthCostBenchmark {

    private static final int WARMUP = 5_000;
    private static final int MEASURED = 20_000;

    private AuthCostBenchmark() {}

    public static void main(String[] args) throws Exception {
        try (var stack = TestStack.start("bench-auth", 0, 0)) {
            var off = new AuthSettings(
                    false,
                    "unused-unused-unused-unused-unused-",
                    Duration.ofHours(1),
                    Duration.ZERO,
                    "admin",
                    "",
                    0,
                    10,
                    "");
            try (var offApp = TaskManagerApp.start(
                            Containers.appConfig("bench-off", stack.db, Containers.DB_NAME, stack.redis, off));
                    var limitedApp = TaskManagerApp.start(Containers.appConfig(
                            "bench-on", stack.db, Containers.DB_NAME, stack.redis, Containers.auth(1_000_000)))) {
                var user = new Api(limitedApp.port()).registerAndLogin("bench");
                var admin = new Api(limitedApp.port()).login("admin", Containers.ADMIN_PASSWORD);
                var anonymous = new Api(offApp.port());
                long usersTask = user.create("cached read");
                long defaultOwnersTask = anonymous.create("cached read");
                long adminsTask = admin.create("cached read");

                report("auth off", measure(anonymous, defaultOwnersTask));
                report("admin token (verify)", measure(admin, adminsTask));
                report("user token (verify + rate count)", measure(user, usersTask));
                report("auth off, again", measure(anonymous, defaultOwnersTask));
            }
        }
        var tokens = new Tokens(Containers.auth(100));
        String token = tokens.issue(new User(7, "bench", "b@example.org", Role.USER, Instant.now()))
                .token();
        for (int i = 0; i < 50_000; i++) {
            tokens.verify(token);
        }
        long start = System.nanoTime();
        for (int i = 0; i < 200_000; i++) {
            tokens.verify(token);
        }
        System.out.printf("token verify alone: %.2f us each%n", (System.nanoTime() - start) / 200_000 / 1000.0);
        var hasher = new PasswordHasher();
        String hash = hasher.hash("correct horse battery staple");
        long hashStart = System.nanoTime();
        for (int i = 0; i < 20; i++) {
            hasher.matches("correct horse battery staple", hash);
        }
        System.out.printf("argon2id check (a login): %.1f ms each%n", (System.nanoTime() - hashStart) / 20 / 1e6);
    }

    private static long[] measure(Api api, long id) {
        api.get("/tasks/" + id); // the first read fills the cache
        for (int i = 0; i < WARMUP; i++) {
            expectHit(api, id);
        }
        long[] micros = new long[MEASURED];
        for (int i = 0; i < MEASURED; i++) {
            long start = System.nanoTime();
            expectHit(api, id);
            micros[i] = (System.nanoTime() - start) / 1000;
        }
        Arrays.sort(micros);
        return micros;
    }

    private static void expectHit(Api api, long id) {
        var response = api.get("/tasks/" + id);
        if (response.statusCode() != 200 || !response.body().contains("\"source\":\"cache\"")) {
            throw new IllegalStateException("not a cache hit: " + response.statusCode() + " " + response.body());
        }
    }

    private static void report(String what, long[] sorted) {
        double mean = Arrays.stream(sorted).average().orElse(0);
        System.out.printf(
                "%-34s n=%d  mean %.0f us  p50 %d us  p90 %d us  p99 %d us%n",
                what,
                sorted.length,
                mean,
                sorted[sorted.length / 2],
                sorted[sorted.length * 9 / 10],
                sorted[sorted.length * 99 / 100]);
    }
}
