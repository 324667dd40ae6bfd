package io.stackctl.perf;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.percent;
import static io.gatling.javaapi.core.CoreDsl.randomSwitch;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.Simulation;
import io.stackctl.client.BenchPlan;

/** Cached reads: nine in ten single tasks by id, one in ten a list of 100. */
public class ReadHeavySimulation extends Simulation {

    public ReadHeavySimulation() {
        var plan = BenchPlan.current();
        var ids = new TaskIds(plan.taskIds());
        var scenario = scenario("read-heavy")
                .feed(ids.random())
                .exec(randomSwitch()
                        .on(percent(90.0).then(Calls.readTask()), percent(10.0).then(Calls.list100())));
        setUp(scenario.injectOpen(constantUsersPerSec(plan.ratePerSecond()).during(plan.duration())))
                .protocols(Protocols.of(plan));
    }
}
