package io.stackctl.perf;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.jmesPath;
import static io.gatling.javaapi.core.CoreDsl.percent;
import static io.gatling.javaapi.core.CoreDsl.randomSwitch;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.Simulation;
import io.stackctl.client.BenchPlan;

/**
 * Reads and writes, every answer checked: 70% read, 10% list, 10% update of a seeded task, 10% a create
 * followed by the delete of what was created.
 */
public class MixedSimulation extends Simulation {

    public MixedSimulation() {
        var plan = BenchPlan.current();
        var ids = new TaskIds(plan.taskIds());
        var scenario = scenario("mixed")
                .feed(ids.random())
                .exec(randomSwitch()
                        .on(
                                percent(70.0).then(Calls.readTask()),
                                percent(10.0).then(Calls.list100()),
                                percent(10.0)
                                        .then(Calls.recorded(
                                                "update task",
                                                http("update task")
                                                        .put("/tasks/#{id}")
                                                        .body(StringBody("{\"status\":\"in_progress\"}"))
                                                        .asJson(),
                                                status().is(200),
                                                jmesPath("task.status").is("in_progress"))),
                                percent(10.0)
                                        .then(Calls.recorded(
                                                        "create task",
                                                        http("create task")
                                                                .post("/tasks")
                                                                .body(StringBody("{\"title\":\"" + plan.titlePrefix()
                                                                        + "#{id}\"}"))
                                                                .asJson(),
                                                        status().is(201),
                                                        jmesPath("task.id")
                                                                .ofLong()
                                                                .saveAs("created"))
                                                .doIf(session -> session.contains("created"))
                                                .then(Calls.recorded(
                                                        "delete task",
                                                        http("delete task").delete("/tasks/#{created}"),
                                                        status().is(204))))));
        setUp(scenario.injectOpen(constantUsersPerSec(plan.ratePerSecond()).during(plan.duration())))
                .protocols(Protocols.of(plan));
    }
}
