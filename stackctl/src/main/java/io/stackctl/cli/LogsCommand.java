package io.stackctl.cli;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import io.stackctl.stack.Monitoring;
import io.stackctl.stack.Stack;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "logs",
        description =
                "Show logs of one service (nginx, app, db, cache; prometheus and the exporters with the monitoring"
                        + " profile) or all; -f follows.")
final class LogsCommand extends StackCommand {

    static final Set<String> SERVICES = Stream.concat(
                    Stream.of("nginx", "app", "db", "cache", "upstream-agent"), Monitoring.SERVICES.stream())
            .collect(Collectors.toUnmodifiableSet());

    @Parameters(
            index = "0",
            arity = "0..1",
            paramLabel = "SERVICE",
            description =
                    "nginx, app, db, cache, upstream-agent, prometheus, alertmanager, db-exporter, cache-exporter or"
                            + " volume-exporter")
    String service;

    @Option(
            names = {"-f", "--follow"},
            description = "Keep streaming new lines.")
    boolean follow;

    @Option(names = "--tail", defaultValue = "200", description = "Lines per container to start with (default: 200).")
    int tail;

    @Override
    public Integer call() {
        if (tail < 0) {
            throw new StackctlException(
                    ExitCodes.USAGE, "--tail must be 0 or more lines, got " + tail, "e.g. --tail 100");
        }
        if (service != null && !SERVICES.contains(service)) {
            throw new StackctlException(
                    ExitCodes.USAGE,
                    "unknown service '" + service + "'",
                    "choose one of nginx, app, db, cache, upstream-agent, and with the monitoring profile "
                            + String.join(", ", Monitoring.SERVICES));
        }
        try (Stack stack = openStack()) {
            stack.requireRunning();
            out().flush();
            int code = target(stack).logs(Optional.ofNullable(service), follow, tail);
            return code == 0 || code == 130 ? ExitCodes.OK : ExitCodes.FAILED;
        }
    }
}
