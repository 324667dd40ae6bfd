package io.stackctl.perf;

import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.jmesPath;
import static io.gatling.javaapi.core.CoreDsl.responseTimeInMillis;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.CheckBuilder;
import io.gatling.javaapi.http.HttpRequestActionBuilder;
import io.stackctl.client.Recorder;

/** A request wrapped so that its outcome and Gatling's own response time land in the {@link Recorder}. */
final class Calls {

    private Calls() {}

    /** {@code GET /tasks/{id}} of the fed id: 200 and that very task. */
    static ChainBuilder readTask() {
        return recorded(
                "read task",
                http("read task").get("/tasks/#{id}"),
                status().is(200),
                jmesPath("task.id").ofLong().isEL("#{id}"));
    }

    /** {@code GET /tasks?limit=100}: 200 and a non-empty list. */
    static ChainBuilder list100() {
        return recorded(
                "list 100",
                http("list 100").get("/tasks?limit=100"),
                status().is(200),
                jmesPath("count").ofInt().gt(0));
    }

    static ChainBuilder recorded(String name, HttpRequestActionBuilder request, CheckBuilder... checks) {
        return exec(session -> session.markAsSucceeded().remove("rt"))
                .exec(request.check(responseTimeInMillis().saveAs("rt")).check(checks))
                .exec(session -> {
                    long rt = session.contains("rt") ? session.getLong("rt") : -1;
                    Recorder.record(name, !session.isFailed(), rt);
                    return session;
                });
    }
}
