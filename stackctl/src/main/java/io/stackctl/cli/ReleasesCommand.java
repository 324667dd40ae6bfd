package io.stackctl.cli;

import io.stackctl.core.ExitCodes;
import io.stackctl.deploy.Deployer;
import io.stackctl.deploy.Release;
import io.stackctl.deploy.ReleaseHistory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
                BackupsCommand.age(r.createdAt(), Instant.now()),
                r.shortImage(),
                r.shortConfig(),
                r.status().name(),
                r.durationMs() == 0 ? "-" : "%.1fs".formatted(r.durationMs() / 1000.0),
                r.strategy(),
                r.note().length() > 90 ? r.note().substring(0, 87) + "..." : r.note());
    }

    /** What deploy and rollback print: one line, or the JSON document. */
    static void printResult(StackCommand command, Deployer.Result result) {
        Release release = result.release();
        if (command.global.json()) {
            Map<String, Object> document = new LinkedHashMap<>();
            document.put("changed", result.changed());
            document.put("release", release);
            document.put("replaced", result.replaced());
            document.put("watch", result.watch());
            command.output().json(document);
            return;
        }
        if (!result.changed()) {
            command.output()
                    .line("nothing to deploy: every replica already runs "
                            + (release == null ? "what compose/.env declares" : "r" + release.id()));
            return;
        }
        command.output()
                .line("r%d is active on %d replica(s) in %.1fs (image %s, config %s); %s"
                        .formatted(
                                release.id(),
                                result.replaced().size(),
                                release.durationMs() / 1000.0,
                                release.shortImage(),
                                release.shortConfig(),
                                result.watch()));
    }
}
