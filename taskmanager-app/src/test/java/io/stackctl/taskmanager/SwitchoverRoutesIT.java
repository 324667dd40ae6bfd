package io.stackctl.taskmanager;

import static io.stackctl.taskmanager.Api.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What a database switchover relies on in the API: /ops/db/hold and /ops/db/resume (stackctl failover wraps the
 * switch in them), and a commit no synchronous standby confirmed answered as a failure, never as 201.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SwitchoverRoutesIT {

    private TestStack stack;

    @BeforeAll
    void startStack() {
        stack = TestStack.start("it-switchover", 0, 0);
    }

    @AfterAll
    void stopStack() {
        TestStack.close(stack);
    }

    @Test
    void aHeldDatabaseKeepsNewWritesUntilResumedAndLosesNone() throws Exception {
        var held = stack.ops.post("/ops/db/hold?seconds=20", "");
        assertThat(held.statusCode()).as(held.body()).isEqualTo(200);
        assertThat(json(held).get("in_flight").asInt()).isZero();
        assertThat(stack.api.get("/ready").statusCode())
                .as("a held replica stays in nginx's upstream")
                .isEqualTo(200);
        CompletableFuture<HttpResponse<String>> write =
                CompletableFuture.supplyAsync(() -> stack.api.post("/tasks", "{\"title\":\"held\"}"));
        Thread.sleep(500);
        assertThat(write).as("the write waits while the database is held").isNotDone();
        var reconnected = stack.ops.post("/ops/db/reconnect", "");
        assertThat(reconnected.statusCode()).as(reconnected.body()).isEqualTo(200);
        assertThat(json(reconnected).get("reconnected").asBoolean()).isTrue();
        Thread.sleep(300);
        assertThat(write).as("a reconnect while held lets nothing go").isNotDone();
        var resumed = stack.ops.post("/ops/db/resume", "");
        assertThat(resumed.statusCode()).as(resumed.body()).isEqualTo(200);
        assertThat(json(resumed).get("reconnected").asBoolean()).isTrue();
        var answer = write.get(10, TimeUnit.SECONDS);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(201);
    }

    @Test
    void aHoldOutsideItsBoundsIsRefused() {
        for (String seconds : new String[] {"0", "31", "abc", "-1"}) {
            var answer = stack.ops.post("/ops/db/hold?seconds=" + seconds, "");
            assertThat(answer.statusCode()).as(seconds + ": " + answer.body()).isEqualTo(400);
        }
        assertThat(stack.api.post("/ops/db/hold", "").statusCode())
                .as("a user's token is not an operator's")
                .isEqualTo(403);
    }

    /**
     * PostgreSQL's statement timeout does not end a commit's wait for a synchronous standby: the app must, by itself,
     * before its socket timeout, so that the answer says what happened (committed here alone: 503, retry) rather than
     * "the database did not answer", and the connection survives.
     */
    @Test
    void aCommitNoSynchronousStandbyConfirmedIsA503NotA201() throws Exception {
        var existing = stack.api.post("/tasks", "{\"title\":\"before the standby left\"}");
        assertThat(existing.statusCode()).as(existing.body()).isEqualTo(201);
        long id = json(existing).get("task").get("id").asLong();
        synchronousStandby("'nobody'");
        try {
            // A pooled connection's backend reads the reloaded setting after its next statement: a few may pass first.
            var created = firstFailure(() -> stack.api.post("/tasks", "{\"title\":\"unconfirmed\"}"));
            assertThat(created.statusCode())
                    .as("a create (an explicit commit) no standby confirmed: not acknowledged (%s)", created.body())
                    .isEqualTo(503);
            assertThat(json(created).get("detail").asText()).startsWith("no standby confirmed the write");
            assertThat(sql("SELECT count(*) FROM tasks WHERE title = 'unconfirmed'"))
                    .as("the case is real: PostgreSQL did commit it locally")
                    .isNotEqualTo("0");
            var updated = firstFailure(() -> stack.api.put("/tasks/" + id, "{\"title\":\"updated unconfirmed\"}"));
            assertThat(updated.statusCode())
                    .as("an update (a statement that commits by itself) no standby confirmed (%s)", updated.body())
                    .isEqualTo(503);
            assertThat(json(updated).get("detail").asText()).startsWith("no standby confirmed the write");
            assertThat(sql("SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'SyncRep'"))
                    .as("no commit is left waiting for the standby")
                    .isEqualTo("0");
        } finally {
            synchronousStandby("''");
        }
        Eventually.within(
                Duration.ofSeconds(10),
                "writes are acknowledged again once commits wait for no standby",
                () -> stack.api.post("/tasks", "{\"title\":\"confirmed\"}").statusCode() == 201);
        assertThat(stack.api.get("/tasks/" + id).body())
                .as("reads go on, on the same pool")
                .contains("updated unconfirmed");
    }

    /** The first answer that is not a success, of at most 20 tries. */
    private static HttpResponse<String> firstFailure(Supplier<HttpResponse<String>> request) {
        HttpResponse<String> answer = request.get();
        for (int i = 1; i < 20 && answer.statusCode() / 100 == 2; i++) {
            answer = request.get();
        }
        return answer;
    }

    private String sql(String query) {
        try {
            var result = stack.db.execInContainer(
                    "psql", "-U", stack.db.getUsername(), "-d", stack.db.getDatabaseName(), "-A", "-t", "-c", query);
            return result.getStdout().strip();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void synchronousStandby(String names) throws Exception {
        var result = stack.db.execInContainer(
                "psql",
                "-U",
                stack.db.getUsername(),
                "-d",
                "postgres",
                "-c",
                "ALTER SYSTEM SET synchronous_standby_names = " + names,
                "-c",
                "SELECT pg_reload_conf()");
        assertThat(result.getExitCode()).as(result.getStderr()).isZero();
    }
}
