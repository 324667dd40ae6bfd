package io.stackctl.cli;

import io.stackctl.core.ExitCodes;
import io.stackctl.deploy.Release;
import io.stackctl.deploy.ReleaseHistory;
import io.stackctl.secrets.Rotation;
import io.stackctl.secrets.Rotations;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "releases",
        description = "The app's releases, newest first: image, config, result, duration; then the secret rotations.")
final class ReleasesCommand extends StackCommand {

    @Option(
            names = "--rotations",
            description = "Only the secret rotations, newest first (with -o json: their list; the releases' list is"
                    + " what -o json prints without it, unchanged for scripts that read it).")
    boolean rotationsOnly;

    @Override
    public Integer call() {
        var history = new ReleaseHistory(files().releasesDir(), global.project());
        List<Release> releases = new ArrayList<>(history.all());
        Collections.reverse(releases);
        List<Rotation> rotations = new ArrayList<>(new Rotations(files().releasesDir(), global.project()).all());
        Collections.reverse(rotations);
        if (global.json()) {
            // Each a list, as releases -o json was before rotations were recorded: no script reading it breaks.
            output().json(rotationsOnly ? rotations : releases);
            return ExitCodes.OK;
        }
        if (rotationsOnly) {
            if (rotations.isEmpty()) {
                output().line("no secret rotations of '" + global.project() + "' yet: secrets rotate records them");
            } else {
                printRotations(rotations);
            }
            return ExitCodes.OK;
        }
        if (releases.isEmpty()) {
            output().line("no releases of '" + global.project() + "' yet: up and deploy record them");
        } else {
            output().table(
                            List.of("RELEASE", "AGE", "IMAGE", "CONFIG", "STATUS", "TOOK", "STRATEGY", "NOTE"),
                            releases.stream().map(ReleasesCommand::row).toList());
        }
        if (!rotations.isEmpty()) {
            output().line("");
            printRotations(rotations);
        }
        return ExitCodes.OK;
    }

    private void printRotations(List<Rotation> rotations) {
        output().table(
                        List.of("ROTATION", "AGE", "FROM", "TO", "OLD ACCEPTED UNTIL", "STATUS", "TOOK", "NOTE"),
                        rotations.stream().map(ReleasesCommand::row).toList());
    }

    private static List<String> row(Rotation r) {
        return List.of(
                r.secret(),
                Output.age(r.at(), Instant.now()),
                r.from(),
                r.to(),
                r.retireAt() == null ? "-" : r.retireAt().toString(),
                r.status().name(),
                r.durationMs() == 0 ? "-" : "%.1fs".formatted(r.durationMs() / 1000.0),
                r.note().length() > 90 ? r.note().substring(0, 87) + "..." : r.note());
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
