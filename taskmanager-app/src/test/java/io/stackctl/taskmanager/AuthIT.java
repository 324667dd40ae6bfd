package io.stackctl.taskmanager;

import static io.stackctl.taskmanager.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackctl.taskmanager.auth.Authenticator;
import io.stackctl.taskmanager.auth.Role;
import io.stackctl.taskmanager.auth.Tokens;
import io.stackctl.taskmanager.auth.User;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Users, tokens and ownership against a real PostgreSQL and Redis: who may see what, what a bad token or a bad
 * registration gets, and that the cache never hands one user another's answer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthIT {

    private TestStack stack;
    private Api anonymous;
    private Api alice;
    private Api bob;
    private Api admin;

    @BeforeAll
    void startStack() {
        stack = TestStack.start("it-auth", 0, 0);
        anonymous = new Api(stack.app.port());
        alice = anonymous.registerAndLogin("alice");
        bob = anonymous.registerAndLogin("bob");
        admin = anonymous.login("admin", Containers.ADMIN_PASSWORD);
    }

    @AfterAll
    void stopStack() {
        TestStack.close(stack);
    }

    private static Tokens tokensAt(Instant now) {
        return new Tokens(Containers.auth(100), Clock.fixed(now, ZoneOffset.UTC));
    }

    private long userId(Api api) {
        return json(api.get("/auth/me")).at("/user/id").asLong();
    }

    @Test
    void registerLoginAndMeDescribeTheUserAndStoreOnlyAnArgon2idHash() throws SQLException {
        var registered = anonymous.post(
                "/auth/register",
                "{\"username\":\"Carol.K\",\"email\":\"carol@example.org\",\"password\":\"" + Api.PASSWORD + "\"}");
        assertThat(registered.statusCode()).isEqualTo(201);
        assertThat(json(registered).at("/user/username").asText()).isEqualTo("carol.k");
        assertThat(json(registered).at("/user/role").asText()).isEqualTo("user");
        assertThat(registered.body()).doesNotContain("argon").doesNotContain(Api.PASSWORD);

        var login = anonymous.post("/auth/login", "{\"username\":\"carol.k\",\"password\":\"" + Api.PASSWORD + "\"}");
        assertThat(login.statusCode()).isEqualTo(200);
        assertThat(json(login).get("token_type").asText()).isEqualTo("Bearer");
        assertThat(json(login).get("expires_in").asLong()).isEqualTo(3600);

        var me = anonymous.withToken(json(login).get("token").asText()).get("/auth/me");
        assertThat(me.statusCode()).isEqualTo(200);
        assertThat(json(me).at("/user/email").asText()).isEqualTo("carol@example.org");
        assertThat(queryText("SELECT password_hash FROM users WHERE username = 'carol.k'"))
                .startsWith("$argon2id$v=19$m=19456,t=2,p=1$");
    }

    @Test
    void aWrongPasswordAndAnUnknownUserGetTheSame401() {
        var wrong = anonymous.post("/auth/login", "{\"username\":\"alice\",\"password\":\"not her password\"}");
        var unknown = anonymous.post("/auth/login", "{\"username\":\"nobody-here\",\"password\":\"whatever1234\"}");

        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(unknown.statusCode()).isEqualTo(401);
        assertThat(wrong.body()).isEqualTo(unknown.body()).contains("invalid credentials");
    }

    @Test
    void expiredTokensGet401ButClockSkewWithinTheLeewayIsForgiven() {
        var user = account("alice");
        // issued 2 h ago with a 1 h life: expired an hour ago
        String expired =
                tokensAt(Instant.now().minus(Duration.ofHours(2))).issue(user).token();
        // expired 10 s ago: inside the 30 s skew allowed between replicas' clocks
        String justExpired = tokensAt(Instant.now().minus(Duration.ofSeconds(3610)))
                .issue(user)
                .token();
        // issued 10 minutes in the future: a clock far off, or a forged time
        String fromTheFuture =
                tokensAt(Instant.now().plus(Duration.ofMinutes(10))).issue(user).token();

        var refused = alice.withToken(expired).get("/tasks");
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(json(refused).get("detail").asText()).startsWith("the token expired at");
        assertThat(refused.headers().firstValue("WWW-Authenticate"))
                .hasValue("Bearer realm=\"taskmanager\", error=\"invalid_token\"");
        assertThat(alice.withToken(justExpired).get("/tasks").statusCode()).isEqualTo(200);
        assertThat(alice.withToken(fromTheFuture).get("/tasks").statusCode()).isEqualTo(401);
    }

    @Test
    void forgedAndMalformedTokensGet401() {
        String good = alice.token();
        String[] parts = good.split("\\.");
        var encoder = Base64.getUrlEncoder().withoutPadding();
        String adminPayload =
                encoder.encodeToString(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                        .replace("\"role\":\"user\"", "\"role\":\"admin\"")
                        .getBytes(StandardCharsets.UTF_8));
        String noneHeader =
                encoder.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        var otherSecret = new Tokens(new io.stackctl.taskmanager.auth.AuthSettings(
                true,
                "another-secret-another-secret-another-secret",
                Duration.ofHours(1),
                Duration.ofSeconds(30),
                "admin",
                "",
                0,
                10,
                ""));
        var account = account("alice");
        var user = new User(account.id(), "alice", "alice@example.org", Role.ADMIN, account.createdAt());

        List<String> forged = List.of(
                otherSecret.issue(user).token(), // signed with another key
                parts[0] + "." + adminPayload + "." + parts[2], // role changed, old signature
                noneHeader + "." + parts[1] + ".", // alg none
                parts[0] + "." + parts[1] + "." + parts[2].substring(0, parts[2].length() - 2) + "AA",
                "not-a-jwt",
                parts[0] + "." + parts[1]);
        for (String token : forged) {
            var response = alice.withToken(token).get("/tasks");
            assertThat(response.statusCode()).as(token).isEqualTo(401);
            assertThat(response.headers().firstValue("WWW-Authenticate")).isPresent();
        }
        assertThat(alice.send("GET", "/tasks", null, null, "Authorization", "Basic YWxpY2U6eA==")
                        .statusCode())
                .isEqualTo(401);
        var none = anonymous.get("/tasks");
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"taskmanager\"");
    }

    @Test
    void anotherUsersTaskIsNotFoundAndUnchangedWhileAnAdminSeesEveryone() throws SQLException {
        long alices = alice.create("alice's secret plan");
        String before = queryText("SELECT title || status FROM tasks WHERE id = " + alices);

        assertThat(bob.get("/tasks/" + alices).statusCode()).isEqualTo(404);
        assertThat(bob.put("/tasks/" + alices, "{\"status\":\"completed\"}").statusCode())
                .isEqualTo(404);
        assertThat(bob.delete("/tasks/" + alices).statusCode()).isEqualTo(404);
        assertThat(json(bob.get("/tasks?limit=1000")).get("tasks").findValuesAsText("title"))
                .doesNotContain("alice's secret plan");
        assertThat(queryText("SELECT title || status FROM tasks WHERE id = " + alices))
                .isEqualTo(before);

        assertThat(json(admin.get("/tasks/" + alices)).at("/task/owner_id").asLong())
                .isEqualTo(userId(alice));
        long bobs = bob.create("bob's errand");
        assertThat(json(admin.get("/tasks?limit=1000")).get("tasks").findValuesAsText("title"))
                .contains("alice's secret plan", "bob's errand");
        assertThat(admin.put("/tasks/" + bobs, "{\"status\":\"in_progress\"}").statusCode())
                .isEqualTo(200);
        assertThat(json(bob.get("/tasks/" + bobs)).at("/task/status").asText()).isEqualTo("in_progress");
    }

    @Test
    void cachedListsAndTasksNeverCrossUsers() {
        long alices = alice.create("alice only " + UUID.randomUUID());
        var aliceFirst = json(alice.get("/tasks?limit=1000"));
        var aliceAgain = json(alice.get("/tasks?limit=1000"));
        assertThat(aliceAgain.get("source").asText()).isEqualTo("cache");
        assertThat(json(alice.get("/tasks/" + alices)).get("source").asText()).isIn("database", "cache");
        assertThat(json(alice.get("/tasks/" + alices)).get("source").asText()).isEqualTo("cache");

        var bobsList = json(bob.get("/tasks?limit=1000"));
        assertThat(bobsList.get("source").asText())
                .as("bob's first list is his own, not alice's cached one")
                .isEqualTo("database");
        assertThat(bobsList.get("tasks").findValuesAsText("id")).doesNotContain(Long.toString(alices));
        assertThat(json(bob.get("/tasks?limit=1000")).get("tasks").findValuesAsText("id"))
                .doesNotContain(Long.toString(alices));
        assertThat(bob.get("/tasks/" + alices).statusCode())
                .as("alice's task is cached, and still not bob's")
                .isEqualTo(404);
        assertThat(aliceFirst.get("tasks").findValuesAsText("id")).contains(Long.toString(alices));

        try (var jedis = Containers.jedis(stack.redis)) {
            assertThat(Containers.keys(jedis, "tm:task:*")).contains("tm:task:" + userId(alice) + ":" + alices);
            assertThat(Containers.keys(jedis, "tm:tasks:list:*"))
                    .allSatisfy(key -> assertThat(key).matches("tm:tasks:list:\\d+:(u\\d+|all):.*"));
        }
    }

    @Test
    void createsWithTheSameIdempotencyKeyStayApartBetweenUsers() {
        String key = "shared-" + UUID.randomUUID();
        var alicesTask = alice.post("/tasks", "{\"title\":\"mine\"}", key);
        var bobsTask = bob.post("/tasks", "{\"title\":\"also mine\"}", key);

        assertThat(alicesTask.statusCode()).isEqualTo(201);
        assertThat(bobsTask.statusCode()).isEqualTo(201);
        assertThat(json(bobsTask).at("/task/id").asLong())
                .isNotEqualTo(json(alicesTask).at("/task/id").asLong());
        assertThat(bobsTask.headers().firstValue("Idempotent-Replayed")).isEmpty();
    }

    @Test
    void fortyBadInputsOnTheNewRoutesGet4xxAndWriteNothing() throws SQLException {
        String before = fingerprint();
        String json = "application/json";
        String longName = "a".repeat(51);
        String[][] bad = {
            {"POST", "/auth/register", json, ""},
            {"POST", "/auth/register", json, "not json"},
            {"POST", "/auth/register", json, "[]"},
            {"POST", "/auth/register", "text/plain", "{\"username\":\"x1y2z3\"}"},
            {"POST", "/auth/register", json, "{\"email\":\"a@b.org\",\"password\":\"long enough pw\"}"},
            {"POST", "/auth/register", json, "{\"username\":\"dave1\",\"password\":\"long enough pw\"}"},
            {"POST", "/auth/register", json, "{\"username\":\"dave1\",\"email\":\"d@e.org\"}"},
            {"POST", "/auth/register", json, reg("ab", "d@e.org", "long enough pw")},
            {"POST", "/auth/register", json, reg(longName, "d@e.org", "long enough pw")},
            {"POST", "/auth/register", json, reg("dave smith", "d@e.org", "long enough pw")},
            {"POST", "/auth/register", json, reg("-dave", "d@e.org", "long enough pw")},
            {"POST", "/auth/register", json, reg("dave<script>", "d@e.org", "long enough pw")},
            {"POST", "/auth/register", json, "{\"username\":42,\"email\":\"d@e.org\",\"password\":\"long enough pw\"}"},
            {"POST", "/auth/register", json, "{\"username\":null,\"email\":\"d@e.org\",\"password\":\"long enough pw\"}"
            },
            {"POST", "/auth/register", json, reg("dave1", "not-an-address", "long enough pw")},
            {"POST", "/auth/register", json, reg("dave1", "a@" + "b".repeat(260) + ".org", "long enough pw")},
            {"POST", "/auth/register", json, reg("dave1", "d @e.org", "long enough pw")},
            {"POST", "/auth/register", json, reg("dave1", "d@e.org", "short")},
            {"POST", "/auth/register", json, reg("dave1", "d@e.org", "p".repeat(257))},
            {"POST", "/auth/register", json, reg("dave1", "d@e.org", "my name is dave1!")},
            {
                "POST",
                "/auth/register",
                json,
                "{\"username\":\"dave1\",\"email\":\"d@e.org\",\"password\":\"long enough pw\"," + "\"role\":\"admin\"}"
            },
            {"POST", "/auth/register", json, reg("admin", "d@e.org", "long enough pw")},
            {"POST", "/auth/register", json, reg("default", "d@e.org", "long enough pw")},
            {"POST", "/auth/register", json, reg("alice", "other@example.org", "long enough pw")},
            {"POST", "/auth/register", json, reg("alice2", "ALICE@example.org", "long enough pw")},
            {"POST", "/auth/register", json, reg("dave\\u0000", "d@e.org", "long enough pw")},
            {"POST", "/auth/register", json, "{\"username\":\"" + "x".repeat(1_100_000) + "\"}"},
            {"POST", "/auth/login", json, ""},
            {"POST", "/auth/login", json, "{\"username\":\"alice\"}"},
            {"POST", "/auth/login", json, "{\"username\":\"alice\",\"password\":7}"},
            {"POST", "/auth/login", json, "{\"username\":\"alice\",\"password\":\"x\",\"remember\":true}"},
            {"POST", "/auth/login", json, "{\"username\":\"alice\",\"password\":\"" + "p".repeat(300) + "\"}"},
            {"POST", "/auth/login", "application/x-www-form-urlencoded", "username=alice&password=x"},
            {"GET", "/auth/login", null, null},
            {"POST", "/auth/me", json, "{}"},
            {"DELETE", "/auth/register", null, null},
        };
        List<String> failures = new ArrayList<>();
        int count = 0;
        for (String[] request : bad) {
            check(failures, anonymous.send(request[0], request[1], request[2], request[3]), request);
            count++;
        }
        assertThat(fingerprint())
                .as("no user written by a refused registration")
                .isEqualTo(before);
        // Writes with no token, another's token for a task, and a forged token
        long alices = alice.create("stays as it is");
        before = fingerprint();
        check(failures, anonymous.post("/tasks", "{\"title\":\"anonymous\"}"), new String[] {"POST", "/tasks"});
        check(failures, bob.put("/tasks/" + alices, "{\"title\":\"bob's now\"}"), new String[] {
            "PUT", "/tasks/{alice's}"
        });
        check(failures, bob.delete("/tasks/" + alices), new String[] {"DELETE", "/tasks/{alice's}"});
        check(failures, alice.withToken(alice.token() + "x").post("/tasks", "{\"title\":\"forged\"}"), new String[] {
            "POST", "/tasks (forged)"
        });
        count += 4;

        assertThat(count).isGreaterThanOrEqualTo(40);
        assertThat(failures).isEmpty();
        assertThat(fingerprint()).as("no user and no task written or changed").isEqualTo(before);
    }

    @Test
    void usersAreRateLimitedAcrossReplicasWith429AndRetryAfterWhileAdminsAreNot() throws Exception {
        try (var first = TaskManagerApp.start(Containers.appConfig(
                        "it-limit-1", stack.db, Containers.DB_NAME, stack.redis, Containers.auth(5)));
                var second = TaskManagerApp.start(Containers.appConfig(
                        "it-limit-2", stack.db, Containers.DB_NAME, stack.redis, Containers.auth(5)))) {
            var erin = new Api(first.port()).registerAndLogin("erin");
            var erinOnSecond = new Api(second.port()).withToken(erin.token());
            var adminOnFirst = new Api(first.port()).withToken(admin.token());

            // The limit counts per one-second window: a burst that straddles two windows proves nothing, so a burst
            // that took longer than the window left (a starved machine) is sent again, at most five times.
            List<HttpResponse<String>> answers = new ArrayList<>();
            for (int attempt = 0; attempt < 5; attempt++) {
                Thread.sleep(1000 - System.currentTimeMillis() % 1000);
                long windowStart = System.currentTimeMillis() / 1000;
                answers.clear();
                for (int i = 0; i < 8; i++) {
                    answers.add((i % 2 == 0 ? erin : erinOnSecond).get("/tasks?limit=1"));
                }
                if (System.currentTimeMillis() / 1000 == windowStart) {
                    break;
                }
            }
            long ok = answers.stream().filter(r -> r.statusCode() == 200).count();
            assertThat(ok).as("5 a second, counted across both replicas").isEqualTo(5);
            var limited = answers.get(answers.size() - 1);
            assertThat(limited.statusCode()).isEqualTo(429);
            assertThat(limited.headers().firstValue("Retry-After")).hasValue("1");
            assertThat(limited.headers().firstValue("RateLimit-Remaining")).hasValue("0");
            assertThat(json(limited).get("error").asText()).isEqualTo("rate limited");
            for (int i = 0; i < 10; i++) {
                assertThat(adminOnFirst.get("/tasks?limit=1").statusCode()).isEqualTo(200);
            }

            Thread.sleep(1100);
            assertThat(erin.get("/tasks?limit=1").statusCode())
                    .as("a new second, a new allowance")
                    .isEqualTo(200);
        }
    }

    @Test
    void repeatedLoginAttemptsForOneNameAreSlowedDown() {
        anonymous.registerAndLogin("frank");
        // 10 a minute: 21 attempts cannot all fit in the two minute-windows they may straddle
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 21; i++) {
            statuses.add(anonymous
                    .post("/auth/login", "{\"username\":\"frank\",\"password\":\"guess number " + i + "\"}")
                    .statusCode());
        }
        assertThat(statuses).contains(429).containsOnly(401, 429);
        var refused = anonymous.post("/auth/login", "{\"username\":\"frank\",\"password\":\"" + Api.PASSWORD + "\"}");
        if (refused.statusCode() == 429) {
            assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        }
        assertThat(alice.get("/auth/me").statusCode())
                .as("other users are not affected")
                .isEqualTo(200);
    }

    @Test
    void aLoginCounterEvictedFromRedisLeavesEachReplicasOwnCountInForce() {
        anonymous.registerAndLogin("hugo");
        List<Integer> statuses;
        try (var redis = Containers.jedis(stack.redis)) {
            // What allkeys-lru may do to a counter under memory pressure: it is gone before every attempt.
            statuses = anonymous.guessPasswords(
                    "hugo",
                    21,
                    () -> Containers.keys(redis, "*rate:login:hugo:*").forEach(redis::del));
        }
        assertThat(statuses)
                .as("10 a minute still holds: 21 attempts cannot fit in the two windows they may straddle")
                .contains(429)
                .containsOnly(401, 429);
    }

    @Test
    void aFloodOfLoginsIsShedWhileReadinessAndTheApiKeepAnswering() throws Exception {
        int flooders = 48; // far beyond what the hashing slots and their short line hold (5 a core)
        var stop = new java.util.concurrent.atomic.AtomicBoolean();
        var loginStatuses = new java.util.concurrent.ConcurrentHashMap<Integer, Integer>();
        var pool = java.util.concurrent.Executors.newFixedThreadPool(flooders);
        List<Integer> ready = new ArrayList<>();
        List<Integer> reads = new ArrayList<>();
        try {
            for (int i = 0; i < flooders; i++) {
                pool.submit(() -> {
                    // Bounded in count as in time: a flooder stops after 200 attempts if the test has not stopped it.
                    for (int n = 0; n < 200 && !stop.get(); n++) {
                        String name = "flood" + UUID.randomUUID().toString().substring(0, 12);
                        int status = anonymous
                                .post("/auth/login", "{\"username\":\"" + name + "\",\"password\":\"guess\"}")
                                .statusCode();
                        loginStatuses.merge(status, 1, Integer::sum);
                    }
                });
            }
            Eventually.within(Duration.ofSeconds(30), "the flood is under way", () -> loginStatuses.size() > 0);
            for (int i = 0; i < 40; i++) {
                ready.add(anonymous.get("/ready").statusCode());
                reads.add(alice.get("/tasks?limit=5").statusCode());
            }
        } finally {
            stop.set(true);
            pool.shutdown();
            pool.awaitTermination(60, java.util.concurrent.TimeUnit.SECONDS);
        }
        assertThat(ready).as("/ready during the flood").containsOnly(200);
        assertThat(reads).as("a user's reads during the flood").containsOnly(200);
        assertThat(loginStatuses.keySet())
                .as("the logins beyond the hashing line are shed at once with 503, the rest checked (401)")
                .contains(503)
                .isSubsetOf(401, 503);
    }

    @Test
    void operatorRoutesWantAnAdminOrTheOperatorTokenWhoeverCallsThem() {
        var operator = anonymous.withToken(Containers.OPS_TOKEN);
        // Through nginx (X-Forwarded-For) or straight to the replica (a container on the frontend network, the host):
        // the same answers, because where a request seems to come from is the client's to forge.
        for (String[] via : List.of(new String[] {"X-Forwarded-For", "203.0.113.9"}, new String[0])) {
            String how = via.length == 0 ? "direct" : "through nginx";
            for (String[] route :
                    List.of(new String[] {"GET", "/metrics"}, new String[] {"GET", "/cache/stats"}, new String[] {
                        "POST", "/cache/clear"
                    })) {
                String what = how + ": " + route[0] + " " + route[1];
                assertThat(anonymous.send(route[0], route[1], null, null, via).statusCode())
                        .as(what + " with no credential")
                        .isEqualTo(401);
                assertThat(alice.send(route[0], route[1], null, null, via).statusCode())
                        .as(what + " with a user's token")
                        .isEqualTo(403);
                assertThat(admin.send(route[0], route[1], null, null, via).statusCode())
                        .as(what + " with the admin's token")
                        .isEqualTo(200);
                assertThat(operator.send(route[0], route[1], null, null, via).statusCode())
                        .as(what + " with the operator token")
                        .isEqualTo(200);
            }
        }
        assertThat(anonymous.get("/ready").statusCode()).isEqualTo(200);
    }

    @Test
    void protectedRoutesAnswerTheSameWhateverThePathsSpelling() {
        long alicesTask = alice.create("spelled oddly");
        List<String> failures = new ArrayList<>();
        String[][] routes = {
            {"GET", "/metrics"}, {"GET", "/cache/stats"}, {"POST", "/cache/clear"},
            {"GET", "/auth/me"}, {"GET", "/tasks"}, {"GET", "/tasks/" + alicesTask}
        };
        for (String[] route : routes) {
            String path = route[1];
            List<String> spellings = List.of(
                    path + "/",
                    path.toUpperCase(java.util.Locale.ROOT),
                    "/%" + Integer.toHexString(path.charAt(1)).toUpperCase(java.util.Locale.ROOT) + path.substring(2),
                    "/" + path,
                    path.replace("/", "//"),
                    path + "/.",
                    path + "%2F",
                    path + ";x=1",
                    path + "?x=/");
            for (String spelling : spellings) {
                var response = anonymous.send(route[0], spelling, null, null);
                int status = response.statusCode();
                if (status != 400 && status != 401 && status != 404 && status != 405) {
                    failures.add(route[0] + " " + spelling + " with no token -> " + status + " " + response.body());
                }
            }
            var trailing = alice.send(route[0], path + "/", null, null);
            boolean operatorRoute = path.startsWith("/metrics") || path.startsWith("/cache");
            int expected = operatorRoute ? 403 : 200;
            if (trailing.statusCode() != expected) {
                failures.add(route[0] + " " + path + "/ as alice -> " + trailing.statusCode() + ", wanted " + expected);
            }
        }
        assertThat(failures)
                .as("a protected route reached, or a 500, by spelling its path another way")
                .isEmpty();
    }

    @Test
    void aTokenEndsWhenItsAccountIsRemovedOrItsIdReused() throws SQLException {
        var gina = anonymous.registerAndLogin("gina");
        var ivan = anonymous.registerAndLogin("ivan");
        assertThat(gina.get("/auth/me").statusCode()).isEqualTo(200);
        long ginasId = userId(gina);
        long ivansId = userId(ivan);

        // What a restore does to the users table: the rows after the backup are gone, the id sequence rewound, and
        // the next registration takes an id that a live token still names.
        execute("DELETE FROM users WHERE id = " + ivansId);
        execute("DELETE FROM users WHERE id = " + ginasId);
        execute("INSERT INTO users (id, username, email, password_hash) VALUES (" + ginasId
                + ", 'henry', 'henry@example.org', '!')");

        Eventually.within(
                Authenticator.FRESH_FOR.multipliedBy(3),
                "gina's token ends with her account",
                () -> gina.get("/auth/me").statusCode() == 401);
        var asHenry = gina.get("/tasks");
        assertThat(asHenry.statusCode())
                .as("gina's token does not act as henry")
                .isEqualTo(401);
        assertThat(json(asHenry).get("detail").asText()).contains("earlier account with the same id");
        // An account seen before is answered from memory while one background lookup refreshes it: the removed
        // user's token ends within the freshness window, never later.
        Eventually.within(
                Authenticator.FRESH_FOR.multipliedBy(3),
                "a removed user's token ends",
                () -> ivan.get("/tasks").statusCode() == 401);
        assertThat(alice.get("/auth/me").statusCode())
                .as("other users are not affected")
                .isEqualTo(200);
    }

    @Test
    void aNewAccountUnderAReusedIdIsServedAtOnceThoughTheReplicaKnewTheOldOne() throws Exception {
        var kate = anonymous.registerAndLogin("kate");
        long katesId = userId(kate); // the replica now holds kate's account, fresh for FRESH_FOR

        // A restore to before kate: her row gone, the id sequence rewound, so the next account takes her id.
        execute("DELETE FROM users WHERE id = " + katesId);
        execute("SELECT setval(pg_get_serial_sequence('users', 'id'), " + (katesId - 1) + ")");
        // Past the confirmation window (a refused token is looked up again at most once per window), well inside
        // the freshness window: without the confirmation, liam would be refused for up to FRESH_FOR.
        Thread.sleep(Authenticator.CONFIRMED_FOR.toMillis());
        var liam = anonymous.registerAndLogin("liam");

        var me = liam.get("/auth/me");
        assertThat(me.statusCode())
                .as("a fresh login for the account now under the id is accepted at once")
                .isEqualTo(200);
        assertThat(json(me).at("/user/id").asLong()).isEqualTo(katesId);
        assertThat(kate.get("/auth/me").statusCode())
                .as("and the token of the account before is refused at once")
                .isEqualTo(401);
    }

    @Test
    void theOperatorTokenActsAsTheAdminAndNoLoginFloodLocksItOut() {
        var operator = anonymous.withToken(Containers.OPS_TOKEN);
        // Logins count per minute window; the flood goes on until the admin is locked (a slow flood may straddle
        // one window boundary, so 40 attempts always lock a limit of 10).
        int status = 0;
        for (int i = 0; i < 40 && status != 429; i++) {
            status = anonymous
                    .post("/auth/login", "{\"username\":\"admin\",\"password\":\"wrong guess " + i + "\"}")
                    .statusCode();
        }
        assertThat(status).as("the flood locked the admin's logins").isEqualTo(429);
        var me = operator.get("/auth/me");
        assertThat(me.statusCode()).isEqualTo(200);
        assertThat(json(me).at("/user/username").asText()).isEqualTo("admin");
        long created = operator.create("made by stackctl");
        assertThat(admin.get("/tasks/" + created).statusCode()).isEqualTo(200);
        assertThat(anonymous.withToken(Containers.OPS_TOKEN + "x").get("/tasks").statusCode())
                .isEqualTo(401);
    }

    /**
     * The two-step rotation `stackctl secrets rotate jwt` drives, on two replicas sharing one key file: at no step
     * does a token one replica signed get a 401 from the other, and a token whose key retired does.
     */
    @Test
    void tokenKeysRotateUnderRunningReplicasWithoutAGapAndARetiredKeysTokensEnd(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("jwt-keys.json");
        var base = Containers.auth(0);
        var auth = new io.stackctl.taskmanager.auth.AuthSettings(
                true,
                base.jwtSecret(),
                base.tokenTtl(),
                base.clockSkew(),
                base.adminUsername(),
                base.adminPassword(),
                0,
                base.loginAttemptsPerMinute(),
                base.opsToken(),
                file.toString());
        String fresh = "rotated-secret-rotated-secret-rotated-secret";
        try (var first = TaskManagerApp.start(
                        Containers.appConfig("it-keys-1", stack.db, Containers.DB_NAME, stack.redis, auth));
                var second = TaskManagerApp.start(
                        Containers.appConfig("it-keys-2", stack.db, Containers.DB_NAME, stack.redis, auth))) {
            var one = new Api(first.port());
            var two = new Api(second.port());
            String before = one.registerAndLogin("rotating").token();
            assertThat(two.withToken(before).get("/auth/me").statusCode()).isEqualTo(200);

            writeKeys(
                    file,
                    "{\"id\":\"env\",\"secret\":\"" + Containers.JWT_SECRET + "\",\"use\":\"sign\"},"
                            + "{\"id\":\"k2\",\"secret\":\"" + fresh + "\",\"use\":\"verify\"}");
            awaitKeys(List.of(one, two), "env", "[\"env\",\"k2\"]");

            // The old key verifies with no retire_at yet, so what follows never races a clock on a busy machine.
            writeKeys(
                    file,
                    "{\"id\":\"k2\",\"secret\":\"" + fresh + "\",\"use\":\"sign\"}," + "{\"id\":\"env\",\"secret\":\""
                            + Containers.JWT_SECRET + "\",\"use\":\"verify\"}");
            awaitKeys(List.of(one, two), "k2", "[\"k2\",\"env\"]");
            String after = two.login("rotating", Api.PASSWORD).token();
            assertThat(com.auth0.jwt.JWT.decode(after).getKeyId()).isEqualTo("k2");
            for (Api replica : List.of(one, two)) {
                assertThat(replica.withToken(before).get("/auth/me").statusCode())
                        .as("a token from before the rotation, until its key retires")
                        .isEqualTo(200);
                assertThat(replica.withToken(after).get("/auth/me").statusCode())
                        .isEqualTo(200);
            }

            writeKeys(
                    file,
                    "{\"id\":\"k2\",\"secret\":\"" + fresh + "\",\"use\":\"sign\"},"
                            + "{\"id\":\"env\",\"secret\":\"" + Containers.JWT_SECRET + "\",\"use\":\"verify\","
                            + "\"retire_at\":\"" + Instant.now().plusSeconds(1) + "\"}");
            Eventually.within(
                    Duration.ofSeconds(10),
                    "the old key's tokens end when it retires",
                    () -> one.withToken(before).get("/auth/me").statusCode() == 401
                            && two.withToken(before).get("/auth/me").statusCode() == 401);
            assertThat(json(two.withToken(before).get("/auth/me")).get("detail").asText())
                    .contains("retired or unknown");
            assertThat(one.withToken(after).get("/auth/me").statusCode()).isEqualTo(200);
            assertThat(two.withToken(Containers.OPS_TOKEN).get("/ops/keys").body())
                    .doesNotContain(fresh)
                    .doesNotContain(Containers.JWT_SECRET);
        }
    }

    /**
     * What `stackctl secrets rotate admin` does: replicas started with a new ADMIN_PASSWORD set it at their start,
     * and every token issued under the old password ends, on the replicas that still run with the old setting too.
     */
    @Test
    void aNewAdminPasswordEndsEveryTokenIssuedBeforeItOnEveryReplica() throws Exception {
        var base = Containers.auth(0);
        java.util.function.Function<String, io.stackctl.taskmanager.auth.AuthSettings> withPassword =
                password -> new io.stackctl.taskmanager.auth.AuthSettings(
                        true,
                        base.jwtSecret(),
                        base.tokenTtl(),
                        base.clockSkew(),
                        "rotating-admin",
                        password,
                        0,
                        base.loginAttemptsPerMinute(),
                        base.opsToken());
        String before = "first-admin-password";
        String after = "second-admin-password";
        try (var old = TaskManagerApp.start(Containers.appConfig(
                "it-admin-old", stack.db, Containers.DB_NAME, stack.redis, withPassword.apply(before)))) {
            var oldReplica = new Api(old.port());
            String oldToken = oldReplica.login("rotating-admin", before).token();
            String usersToken = oldReplica.registerAndLogin("bystander").token();
            try (var fresh = TaskManagerApp.start(Containers.appConfig(
                    "it-admin-new", stack.db, Containers.DB_NAME, stack.redis, withPassword.apply(after)))) {
                var newReplica = new Api(fresh.port());
                for (Api replica : List.of(oldReplica, newReplica)) {
                    var refused = replica.withToken(oldToken).get("/auth/me");
                    assertThat(refused.statusCode())
                            .as("the old password's token, on either replica")
                            .isEqualTo(401);
                    assertThat(json(refused).get("detail").asText()).contains("password changed");
                    assertThat(replica.withToken(usersToken).get("/auth/me").statusCode())
                            .as("another user's token is not touched")
                            .isEqualTo(200);
                }
                String newToken = newReplica.login("rotating-admin", after).token();
                assertThat(oldReplica.withToken(newToken).get("/metrics").statusCode())
                        .as("the new password's token, on the replica that still runs with the old setting")
                        .isEqualTo(200);
                assertThatThrownBy(() -> newReplica.login("rotating-admin", before))
                        .hasMessageStartingWith("login rotating-admin failed: 401");
            }
        }
    }

    /** As stackctl writes it: whole, by a rename, so a replica never reads half a file. */
    private static void writeKeys(Path file, String keys) throws java.io.IOException {
        Path next = file.resolveSibling(file.getFileName() + ".next");
        Files.writeString(next, "{\"keys\":[" + keys + "]}");
        Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void awaitKeys(List<Api> replicas, String signing, String accepted) {
        Eventually.within(
                Duration.ofSeconds(10),
                "every replica signs with " + signing,
                () -> replicas.stream()
                        .map(api -> json(api.withToken(Containers.OPS_TOKEN).get("/ops/keys")))
                        .allMatch(keys -> keys.get("signing").asText().equals(signing)
                                && keys.get("accepted").toString().equals(accepted)));
    }

    @Test
    void theMigrationKeepsEarlierTasksUnderTheDefaultOwnerAndAuthOffServesThem() throws Exception {
        String database = "premigration";
        try (var connection = jdbc()) {
            connection.createStatement().execute("CREATE DATABASE " + database);
        }
        String url = stack.db.getJdbcUrl().replace("/" + Containers.DB_NAME, "/" + database);
        Flyway.configure()
                .dataSource(url, Containers.DB_USER, Containers.DB_PASSWORD)
                .target("2")
                .load()
                .migrate();
        try (var connection = DriverManager.getConnection(url, Containers.DB_USER, Containers.DB_PASSWORD)) {
            connection.createStatement().execute("INSERT INTO tasks (title) VALUES ('from before users')");
        }
        // Made by the superuser, as a stack from before the app had its own role: the db service converts it.
        Containers.ensureRoles(stack.db, database);
        var off = new io.stackctl.taskmanager.auth.AuthSettings(
                false,
                "unused-unused-unused-unused-unused-",
                Duration.ofHours(1),
                Duration.ZERO,
                "admin",
                "",
                100,
                10,
                Containers.OPS_TOKEN);
        try (var app = TaskManagerApp.start(Containers.appConfig("it-legacy", stack.db, database, stack.redis, off));
                var connection = DriverManager.getConnection(url, Containers.DB_USER, Containers.DB_PASSWORD)) {
            var rows = connection
                    .createStatement()
                    .executeQuery("SELECT u.username FROM tasks t JOIN users u ON u.id = t.owner_id");
            rows.next();
            assertThat(rows.getString(1)).isEqualTo("default");

            var open = new Api(app.port());
            var list = json(open.get("/tasks?limit=10"));
            assertThat(list.get("tasks").findValuesAsText("title")).containsExactly("from before users");
            assertThat(open.post("/tasks", "{\"title\":\"no login needed\"}").statusCode())
                    .isEqualTo(201);
            assertThat(open.get("/metrics").statusCode())
                    .as("operator routes still want a credential with auth off")
                    .isEqualTo(401);
            assertThat(open.withToken(Containers.OPS_TOKEN).get("/metrics").statusCode())
                    .as("the operator token opens them")
                    .isEqualTo(200);
            assertThatThrownBy(() -> open.login("default", "!"))
                    .as("nobody logs in as the default owner")
                    .hasMessageStartingWith("login default failed: 401");
        }
    }

    private static String reg(String username, String email, String password) {
        return "{\"username\":\"" + username + "\",\"email\":\"" + email + "\",\"password\":\"" + password + "\"}";
    }

    private static void check(List<String> failures, HttpResponse<String> response, String[] request) {
        int status = response.statusCode();
        if (status < 400 || status >= 500) {
            failures.add(request[0] + " " + request[1] + " -> " + status + " " + response.body());
        }
    }

    private String fingerprint() throws SQLException {
        return queryText("SELECT (SELECT count(*) || ':' || md5(string_agg(u::text, ',' ORDER BY id)) FROM users u)"
                + " || '/' || (SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, ',' ORDER BY id)), '')"
                + " FROM tasks t)");
    }

    /** The account as the database has it, so a token issued in the test names the real one. */
    private User account(String username) {
        try (var connection = jdbc();
                var rows = connection
                        .createStatement()
                        .executeQuery("SELECT id, email, created_at FROM users WHERE username = '" + username + "'")) {
            rows.next();
            return new User(
                    rows.getLong(1),
                    username,
                    rows.getString(2),
                    Role.USER,
                    rows.getObject(3, java.time.OffsetDateTime.class).toInstant());
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private void execute(String sql) throws SQLException {
        try (var connection = jdbc()) {
            connection.createStatement().execute(sql);
        }
    }

    private String queryText(String sql) throws SQLException {
        try (var connection = jdbc();
                var rows = connection.createStatement().executeQuery(sql)) {
            rows.next();
            return rows.getString(1);
        }
    }

    private java.sql.Connection jdbc() throws SQLException {
        return DriverManager.getConnection(stack.db.getJdbcUrl(), Containers.DB_USER, Containers.DB_PASSWORD);
    }
}
