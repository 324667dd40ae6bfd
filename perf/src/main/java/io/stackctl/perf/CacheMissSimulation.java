package io.stackctl.perf;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.jmesPath;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.Simulation;
import io.stackctl.client.BenchPlan;

/**
 * Reads that miss the cache: the runner clears it first, and each seeded task is read once, in order, so
 * every read goes to PostgreSQL (the answer must say {@code "source":"database"}).
 */
public class CacheMissSimulation extends Simulation {

    public CacheMissSimulation() {
        var plan = BenchPlan.current();
        var ids = new TaskIds(plan.taskIds());
        var scenario = scenario("cache-miss")
                .feed(ids.eachOnce())
                .exec(Calls.recorded(
                        "read task (miss)",
                        http("read task (miss)").get("/tasks/#{id}"),
                        status().is(200),
                        jmesPath("source").is("database")));
        setUp(scenario.injectOpen(constantUsersPerSec(plan.ratePerSecond()).during(plan.duration())))
                .protocols(Protocols.of(plan));
    }
}
