package io.stackctl.cli;

import io.stackctl.core.ExitCodes;
import io.stackctl.stack.HostDoctor;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;

@Command(name = "doctor", description = "Check engine, compose, port, images and disk; each problem with its fix.")
final class DoctorCommand extends StackCommand {

    @Override
    public Integer call() {
        var checks = HostDoctor.run(global.project(), files(), environment());
        print(checks);
        boolean required =
                checks.stream().filter(c -> !c.name().equals("offline builds")).allMatch(HostDoctor.Check::ok);
        return required ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
    }

    private void print(List<HostDoctor.Check> checks) {
        if (global.json()) {
            output().json(Map.of("ok", checks.stream().allMatch(HostDoctor.Check::ok), "checks", checks));
            return;
        }
        output().table(
                        List.of("CHECK", "RESULT", "DETAIL", "FIX"),
                        checks.stream()
                                .map(c ->
                                        List.of(c.name(), c.ok() ? "ok" : "PROBLEM", c.detail(), c.ok() ? "" : c.fix()))
                                .toList());
    }
}
