package io.stackctl.taskmanager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.testcontainers.images.builder.Transferable;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Least privilege in Redis, with the stack's own compose/cache/start.sh: the app's user reaches its keys and no
 * dangerous command, the operations user sees the server and no key, and a client that does not say who it is, or
 * says it is Redis' default user, gets nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CacheUsersIT {

    private TestStack stack;

    @BeforeAll
    void startStack() {
        stack = TestStack.start("it-cache-users", 0, 0);
    }

    @AfterAll
    void stopStack() {
        TestStack.close(stack);
    }

    private static void assertRefused(Jedis jedis, String what, Protocol.Command command, String... args) {
        assertThatThrownBy(() -> jedis.sendCommand(command, args))
                .as(what)
                .isInstanceOf(JedisDataException.class)
                .hasMessageStartingWith("NOPERM");
    }

    @Test
    void theAppsUserServesTheAppAndReachesNothingBeyondItsKeys() {
        assertThat(stack.api.get("/tasks?limit=1").statusCode()).isEqualTo(200);
        assertThat(stack.ops.post("/cache/clear", null).statusCode()).isEqualTo(200);
        assertThat(stack.ops.get("/cache/stats").body()).contains("\"status\":\"up\"");
        try (var app = Containers.jedis(stack.redis)) {
            app.set("tm:it:mine", "1");
            assertThat(app.get("tm:it:mine")).isEqualTo("1");
            assertRefused(app, "a key outside tm:", Protocol.Command.SET, "elsewhere", "1");
            assertRefused(app, "FLUSHALL", Protocol.Command.FLUSHALL);
            assertRefused(app, "FLUSHDB", Protocol.Command.FLUSHDB);
            assertRefused(app, "KEYS", Protocol.Command.KEYS, "*");
            assertRefused(app, "CONFIG SET", Protocol.Command.CONFIG, "SET", "appendonly", "no");
            assertRefused(app, "ACL LIST", Protocol.Command.ACL, "LIST");
            assertRefused(app, "CLIENT KILL", Protocol.Command.CLIENT, "KILL", "TYPE", "normal");
            assertRefused(app, "SHUTDOWN", Protocol.Command.SHUTDOWN, "NOSAVE");
            app.del("tm:it:mine");
        }
    }

    @Test
    void theOperationsUserSeesTheServerButNoKey() {
        try (var ops = Containers.jedisAsOps(stack.redis)) {
            assertThat(ops.ping()).isEqualTo("PONG");
            assertThat(ops.info("clients")).contains("connected_clients:");
            assertThat(ops.clientList()).contains("user=" + Containers.REDIS_USER);
            assertRefused(ops, "GET of the app's key", Protocol.Command.GET, "tm:tasks:gen");
            assertRefused(ops, "SET", Protocol.Command.SET, "tm:it:ops", "1");
            assertRefused(ops, "FLUSHALL", Protocol.Command.FLUSHALL);
        }
    }

    /** compose/cache/ensure-users.sh, the cache service's health check, run as the engine runs it. */
    private void ensureUsers(String passwords) throws Exception {
        stack.redis.copyFileToContainer(Transferable.of(passwords), "/run/stack-secrets/app-passwords");
        var run = stack.redis.execInContainer("sh", "/stack/cache/ensure-users.sh");
        assertThat(run.getExitCode())
                .as("ensure-users.sh: %s%s", run.getStdout(), run.getStderr())
                .isZero();
    }

    @Test
    void aRotationsSecondPasswordIsTakenAtOnceAndTheFirstRefusedOnceTheFileDropsIt() throws Exception {
        String first = Containers.REDIS_PASSWORD;
        String second = "second-password-of-a-rotation-0001";
        try {
            ensureUsers(first + "\n" + second + "\n");
            for (String password : List.of(first, second)) {
                try (var app = Containers.login(stack.redis, Containers.REDIS_USER, password)) {
                    assertThat(app.ping())
                            .as("the app's user with either password, mid-rotation")
                            .isEqualTo("PONG");
                }
            }

            ensureUsers(second + "\n");
            assertThatThrownBy(() -> Containers.login(stack.redis, Containers.REDIS_USER, first)
                            .close())
                    .as("the first password, once the file lists the second alone")
                    .hasMessageStartingWith("WRONGPASS");
            try (var app = Containers.login(stack.redis, Containers.REDIS_USER, second)) {
                assertThat(app.ping()).isEqualTo("PONG");
            }
        } finally {
            ensureUsers(first + "\n");
        }
        try (var ops = Containers.jedisAsOps(stack.redis)) {
            assertRefused(
                    ops,
                    "ACL SETUSER by the operations user",
                    Protocol.Command.ACL,
                    "SETUSER",
                    "stackctl_ops",
                    "+@all");
        }
    }

    /**
     * compose/.env's REDIS_OPS_PASSWORD changed by hand, then {@code up}: stackctl writes the new file, and the health
     * check gives Redis the new password, with no restart and no password in an argv.
     */
    @Test
    void aNewOperationsPasswordFileIsTakenByTheNextHealthCheck() throws Exception {
        String next = "next-ops-password-0002";
        try {
            stack.redis.copyFileToContainer(Transferable.of(next + "\n"), "/run/stack-secrets/ops-password");
            ensureUsers(Containers.REDIS_PASSWORD + "\n");
            try (var ops = Containers.login(stack.redis, "stackctl_ops", next)) {
                assertThat(ops.ping()).isEqualTo("PONG");
                assertThat(ops.clientList()).doesNotContain(next);
            }
            assertThatThrownBy(() -> Containers.login(stack.redis, "stackctl_ops", Containers.REDIS_OPS_PASSWORD)
                            .close())
                    .as("the operations user's old password")
                    .hasMessageStartingWith("WRONGPASS");
        } finally {
            stack.redis.copyFileToContainer(
                    Transferable.of(Containers.REDIS_OPS_PASSWORD + "\n"), "/run/stack-secrets/ops-password");
            ensureUsers(Containers.REDIS_PASSWORD + "\n");
        }
        try (var ops = Containers.jedisAsOps(stack.redis)) {
            assertThat(ops.ping()).isEqualTo("PONG");
        }
    }

    /**
     * The settled check: with nothing read changed since the last full pass it asks Redis for its run id alone, so a
     * password taken away at a console stays away until the stamp is a minute old; then the full pass puts it back.
     * A restart of Redis (a new run id) runs the full pass at once.
     */
    @Test
    void aSettledCheckSkipsTheFullPassUntilItsStampIsAMinuteOldOrRedisRestarted() throws Exception {
        ensureUsers(Containers.REDIS_PASSWORD + "\n");
        String admin = "REDISCLI_AUTH=$(cat /run/stack-cache-admin) redis-cli --no-auth-warning --user stackctl_admin ";
        String removeByHand = admin + "ACL SETUSER taskmanager_app resetpass";
        assertThat(stack.redis.execInContainer("sh", "-c", removeByHand).getExitCode())
                .isZero();

        assertThat(stack.redis
                        .execInContainer("sh", "/stack/cache/ensure-users.sh")
                        .getExitCode())
                .isZero();
        assertThatThrownBy(() -> Containers.login(stack.redis, Containers.REDIS_USER, Containers.REDIS_PASSWORD)
                        .close())
                .as("a settled check changes nothing")
                .hasMessageStartingWith("WRONGPASS");

        stack.redis.execInContainer("touch", "-d", "61 seconds ago", "/run/stack-cache-users.settled");
        assertThat(stack.redis
                        .execInContainer("sh", "/stack/cache/ensure-users.sh")
                        .getExitCode())
                .isZero();
        try (var app = Containers.login(stack.redis, Containers.REDIS_USER, Containers.REDIS_PASSWORD)) {
            assertThat(app.ping()).as("the full pass, a minute on").isEqualTo("PONG");
        }

        assertThat(stack.redis.execInContainer("sh", "-c", removeByHand).getExitCode())
                .isZero();
        String stamp = stack.redis
                .execInContainer("cat", "/run/stack-cache-users.settled")
                .getStdout();
        stack.redis.execInContainer(
                "sh",
                "-c",
                "printf '%s' '" + stamp.replaceAll("[0-9a-f]{40}$", "0".repeat(40)) + "' >"
                        + " /run/stack-cache-users.settled");
        assertThat(stack.redis
                        .execInContainer("sh", "/stack/cache/ensure-users.sh")
                        .getExitCode())
                .isZero();
        try (var app = Containers.login(stack.redis, Containers.REDIS_USER, Containers.REDIS_PASSWORD)) {
            assertThat(app.ping()).as("the full pass, for another run id").isEqualTo("PONG");
        }
    }

    /** As compose/db/ensure-roles.sh: a run waits for the one in flight before it reads the file (see there). */
    @Test
    void aRunWaitsForTheRunInFlightBeforeItReadsTheFile() throws Exception {
        stack.redis.copyFileToContainer(
                Transferable.of(Containers.REDIS_PASSWORD + "\n"), "/run/stack-secrets/app-passwords");
        Containers.assertRunWaitsForItsLock(
                stack.redis, "/run/stack-cache-ensure-users.lock", "sh /stack/cache/ensure-users.sh");
    }

    @Test
    void noClientGetsInWithoutNamingItsUser() {
        try (var anonymous = new Jedis(stack.redis.getHost(), stack.redis.getMappedPort(6379))) {
            assertThatThrownBy(anonymous::ping).hasMessageStartingWith("NOAUTH");
            // A bare password logs in as Redis' default user, which is off: even the app's password gets nothing.
            for (String password : List.of(Containers.REDIS_PASSWORD, Containers.REDIS_OPS_PASSWORD)) {
                assertThatThrownBy(() -> anonymous.auth(password))
                        .as("AUTH %s as the default user", password)
                        .hasMessageStartingWith("WRONGPASS");
            }
            assertThatThrownBy(() -> anonymous.auth(Containers.REDIS_USER, Containers.REDIS_OPS_PASSWORD))
                    .as("the app's user with the operations password")
                    .hasMessageStartingWith("WRONGPASS");
        }
    }
}
