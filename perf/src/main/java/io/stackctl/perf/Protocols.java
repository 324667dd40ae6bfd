package io.stackctl.perf;

import static io.gatling.javaapi.http.HttpDsl.http;

import io.gatling.javaapi.http.HttpProtocolBuilder;
import io.stackctl.client.BenchPlan;

/** HTTP settings every simulation shares: the stack's nginx, JSON, shared keep-alive connections. */
final class Protocols {

    private Protocols() {}

    static HttpProtocolBuilder of(BenchPlan plan) {
        var protocol = http.baseUrl(plan.baseUrl())
                .acceptHeader("application/json")
                .contentTypeHeader("application/json")
                .userAgentHeader("stackctl-bench")
                // one pool for all virtual users, as a fleet of clients behind a proxy would look to nginx
                .shareConnections()
                .disableWarmUp();
        return plan.api().authorization().map(protocol::authorizationHeader).orElse(protocol);
    }
}
