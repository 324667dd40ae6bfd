package io.stackctl.cli;

import io.stackctl.autoscale.AutoscaleJournal;
import io.stackctl.autoscale.AutoscaleSettings;
import io.stackctl.core.ExitCodes;
import io.stackctl.engine.ServiceContainer;
import io.stackctl.replication.Replication;
import io.stackctl.stack.Stack;
import io.stackctl.targets.Target;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;

@Command(name = "status", description = "Services, replicas, state, health, uptime and upstream membership.")
final class StatusCommand extends StackCommand {

    @Override
    public Integer call() {
        try (Stack stack = openStack()) {
            stack.requireRunning();
            new Report(target(stack)).print(output(), global.json());
        }
        return ExitCodes.OK;
    }

    /** One snapshot of the stack, as a table or one JSON document. */
    static final class Report {

        private final Target target;
        private final Stack stack;
        private final List<ServiceContainer> containers;
        private final List<String> upstream;
        private final Optional<Replication> database;
        private final Optional<AutoscaleSettings> autoscale;
        private final List<AutoscaleJournal.Entry> decisions;

        Report(Target target) {
            this.target = target;
            this.stack = target.stack();
            this.containers = stack.containers();
            this.upstream = stack.upstreamMembers();
            // Each node's role and its standby's lag, asked of PostgreSQL (compose: Swarm runs one db node).
            this.database = target.name().equals("compose") ? Optional.of(Replication.of(stack)) : Optional.empty();
            this.autoscale = AutoscaleSettings.of(stack);
            this.decisions = new AutoscaleJournal(stack.files().stateDir(), stack.project()).last(DECISIONS_SHOWN);
        }

        static final int DECISIONS_SHOWN = 5;

        void print(Output output, boolean json) {
            if (json) {
                output.json(document());
                return;
            }
            output.table(
                    List.of("SERVICE", "CONTAINER", "STATE", "HEALTH", "UPTIME", "ADDRESS", "UPSTREAM"),
                    containers.stream().map(this::row).toList());
            database.ifPresent(replication -> {
                output.line("");
                output.table(List.of("DB NODE", "ROLE", "REPLICATION", "LAG", "SLOT"), replication.rows());
            });
            autoscale.ifPresent(settings -> {
                output.line("");
                output.line("autoscaler: " + settings.describe());
                decisions.forEach(d -> output.line(
                        "  %s  app %d -> %d: %s; %s".formatted(d.at(), d.from(), d.to(), d.reason(), d.outcome())));
            });
            output.line("");
            output.line("nginx: " + stack.settings().baseUrl() + "  upstream: " + upstream.size() + " member(s)  "
                    + target.nativeView());
        }

        private List<String> row(ServiceContainer c) {
            String ip = c.ipOn("frontend").or(() -> c.ipOn("backend")).orElse("-");
            String member = !c.service().equals(Stack.APP) ? "-" : upstream.contains(ip) ? "in" : "out";
            return List.of(c.service(), c.name(), c.state(), c.healthText(), uptime(c), ip, member);
        }

        private Map<String, Object> document() {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("project", stack.project());
            doc.put("url", stack.settings().baseUrl());
            doc.put("target", target.name());
            doc.put("compose", stack.compose().flavour().describe());
            doc.put("upstream", upstream);
            doc.put(
                    "containers",
                    containers.stream()
                            .map(c -> {
                                Map<String, Object> item = new LinkedHashMap<>();
                                String ip = c.ipOn("frontend")
                                        .or(() -> c.ipOn("backend"))
                                        .orElse(null);
                                item.put("service", c.service());
                                item.put("name", c.name());
                                item.put("number", c.number());
                                item.put("state", c.state());
                                item.put("health", c.healthText());
                                item.put("started_at", c.startedAt().orElse(null));
                                item.put("address", ip);
                                item.put("in_upstream", c.service().equals(Stack.APP) ? upstream.contains(ip) : null);
                                return item;
                            })
                            .toList());
            database.ifPresent(replication -> doc.put("database", replication.json()));
            autoscale.ifPresent(settings -> {
                Map<String, Object> scaler = new LinkedHashMap<>();
                scaler.put("min", settings.min());
                scaler.put("max", settings.max());
                scaler.put("target", settings.target().toString());
                scaler.put("scale_in_after_s", settings.scaleInAfter().toSeconds());
                scaler.put("decisions", decisions);
                doc.put("autoscale", scaler);
            });
            return doc;
        }

        static String uptime(ServiceContainer c) {
            if (!c.running() || c.startedAt().isEmpty()) {
                return "-";
            }
            Duration up = Duration.between(c.startedAt().get(), Instant.now());
            if (up.toHours() > 0) {
                return up.toHours() + "h" + up.toMinutesPart() + "m";
            }
            return up.toMinutes() > 0 ? up.toMinutes() + "m" + up.toSecondsPart() + "s" : up.toSeconds() + "s";
        }
    }
}
