package io.stackctl.cli;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import io.stackctl.stack.DbVolume;
import io.stackctl.stack.EnvFile;
import io.stackctl.stack.Stack;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "down", description = "Stop and remove the stack's containers and networks.")
final class DownCommand extends StackCommand {

    @Override
    boolean changesStack() {
        return true;
    }

    @Option(names = "--volumes", description = "Also delete the PostgreSQL and Redis volumes (all data).")
    boolean volumes;

    @Override
    public Integer call() {
        try (Stack stack = openStack()) {
            progress("stopping project %s%s", stack.project(), volumes ? " and deleting its volumes" : "");
            target(stack).remove(volumes);
            if (volumes) {
                // The nodes it named are gone with their data: the next cluster starts from db again.
                stack.primaryRecord().forget();
            }
            int left = stack.containers().size();
            if (left > 0) {
                throw new StackctlException(
                        ExitCodes.FAILED,
                        left + " containers of project " + stack.project() + " are still there after down",
                        "remove them by hand: docker ps -a --filter label=com.docker.compose.project="
                                + stack.project());
            }
            output().line("project " + stack.project() + " is down"
                    + (volumes ? "; volumes deleted" : "; volumes kept"));
            var device = DbVolume.resolve(
                    stack.environment(), EnvFile.load(stack.files().envFile()));
            if (volumes && device.isPresent()) {
                // Docker's local driver mounts a device and never erases it: saying so beats a surprise at the next up.
                output().line("the database's device " + device.get().device() + " keeps its data: the next up"
                        + " starts on it again (to start empty, make a new filesystem on it: mkfs."
                        + device.get().type() + " " + device.get().device() + ")");
            }
        }
        return ExitCodes.OK;
    }
}
