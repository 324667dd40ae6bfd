package io.stackctl.cli;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import io.stackctl.replication.Switchover;
import io.stackctl.stack.EnvFile;
import io.stackctl.stack.Stack;
import io.stackctl.stack.Standby;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "failover",
        description = "Make the standby the primary database node: a planned switchover fails no request and loses no"
                + " write; with the primary gone, it is fenced (killed) first. The old primary rejoins as a standby.")
final class FailoverCommand extends StackCommand {

    @Option(
            names = "--to",
            paramLabel = "NODE",
            description = "The node to promote: db or db-standby (default: the one that is not the primary).")
    String to;

    @Override
    boolean changesStack() {
        return true;
    }

    @Override
    public Integer call() {
        try (Stack stack = openStack()) {
            stack.requireRunning();
            if (!target(stack).name().equals("compose")) {
                throw new StackctlException(
                        ExitCodes.USAGE,
                        "the standby and failover run on the compose target only",
                        "bring the stack up on compose with bin/stackctl up --standby");
            }
            if (!Standby.enabled(stack.environment(), EnvFile.load(stack.files().envFile()))) {
                throw new StackctlException(
                        ExitCodes.PRECONDITION,
                        "the stack has no standby (" + Standby.SETTING
                                + " is off), so there is nothing to fail over to",
                        "add one with bin/stackctl up --standby");
            }
            var outcome = new Switchover(stack, err()).run(Optional.ofNullable(to));
            if (global.json()) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("from", outcome.from());
                doc.put("to", outcome.to());
                doc.put("planned", outcome.planned());
                doc.put("replicas_held", outcome.held());
                doc.put("promoted_ms", outcome.promotedMs());
                doc.put("resumed_ms", outcome.resumedMs());
                doc.put("rejoined_ms", outcome.rejoinedMs() < 0 ? null : outcome.rejoinedMs());
                output().json(doc);
            } else {
                output().line("%s is the primary; %s %s"
                                .formatted(
                                        outcome.to(),
                                        outcome.from(),
                                        outcome.rejoinedMs() < 0
                                                ? "has not rejoined yet (bin/stackctl status)"
                                                : "is its standby")
                        + " (%s: promoted in %.1fs, writes resumed at %.1fs)"
                                .formatted(
                                        outcome.planned() ? "switchover" : "failover",
                                        outcome.promotedMs() / 1000.0,
                                        outcome.resumedMs() / 1000.0));
            }
            return outcome.rejoinedMs() < 0 ? ExitCodes.CHECK_FAILED : ExitCodes.OK;
        }
    }
}
