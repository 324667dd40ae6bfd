package io.stackctl.cli;

import io.stackctl.core.ExitCodes;
import io.stackctl.deploy.Release;
import io.stackctl.deploy.ReleaseHistory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import picocli.CommandLine.Command;

@Command(name = "releases", description = "The app's releases, newest first: image, config, result, duration.")
final class ReleasesCommand extends StackCommand {

    @Override
    public Integer call() {
        var history = new ReleaseHistory(files().releasesDir(), global.project());
        List<Release> releases = new ArrayList<>(history.all());
        Collections.reverse(releases);
        if (global.json()) {
            output().json(releases);
            return ExitCodes.OK;
        }
        if (releases.isEmpty()) {
            output().line("no releases of '" + global.project() + "' yet: up and deploy record them");
            return ExitCodes.OK;
        }
        output().table(
                        List.of("RELEASE", "AGE", "IMAGE", "CONFIG", "STATUS", "TOOK", "STRATEGY", "NOTE"),
                        releases.stream().map(ReleasesCommand::row).toList());
        return ExitCodes.OK;
    }

    private static List<String> row(Release r) {
        return List.of(
                "r" + r.id(),
                Output.age(r.createdAt(), Instant.now()),
                r.shortImage(),
                r.shortConfig(),
                r.status().name(),
                r.durationMs() == 0 ? "-" : "%.1fs".formatted(r.durationMs() / 1000.0),
                r.strategy(),
                r.note().length() > 90 ? r.note().substring(0, 87) + "..." : r.note());
    }
}
