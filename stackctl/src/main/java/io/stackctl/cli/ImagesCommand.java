package io.stackctl.cli;

import io.stackctl.core.ExitCodes;
import io.stackctl.process.ProcessRunner;
import io.stackctl.stack.EnvFile;
import io.stackctl.stack.OfflineImages;
import io.stackctl.stack.Stack;
import io.stackctl.stack.StackFiles;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "images", description = "Build the stack's images.", subcommands = ImagesCommand.Build.class)
final class ImagesCommand extends CommandGroup {

    @Command(
            name = "build",
            description = "Build the app image; with --offline also the stand-ins for a host without a registry.")
    static final class Build extends StackCommand {

        @Override
        boolean changesStack() {
            return true;
        }

        @Option(
                names = "--offline",
                description =
                        "Build postgres/redis/nginx/JRE stand-ins from a Debian base (mmdebstrap or debootstrap) and use them.")
        boolean offline;

        @Override
        public Integer call() {
            StackFiles files = files();
            Map<String, String> built = new LinkedHashMap<>();
            if (offline) {
                progress("building stand-in images with %s", files.imagesScript());
                built.putAll(OfflineImages.build(
                        new ProcessRunner(environment(), files.root()), files, line -> progress("  %s", line)));
                EnvFile env = EnvFile.load(files.envFile());
                env.ensureSecrets();
                built.forEach(env::put);
                env.save();
                progress("%s now points the stack at them", files.envFile());
            }
            try (Stack stack = openStack()) {
                progress(
                        "building the app image %s, the upstream agent %s and the db image %s",
                        stack.settings().appImage(),
                        stack.settings().agentImage(),
                        stack.settings().dbImage());
                stack.compose().buildLocalImages();
                built.put("APP_IMAGE", stack.settings().appImage());
                built.put("AGENT_IMAGE", stack.settings().agentImage());
                built.put("DB_IMAGE", stack.settings().dbImage());
            }
            if (global.json()) {
                output().json(built);
            } else {
                List<List<String>> rows = new ArrayList<>();
                built.forEach((variable, image) -> rows.add(List.of(variable, image)));
                output().table(List.of("VARIABLE", "IMAGE"), rows);
            }
            return ExitCodes.OK;
        }
    }
}
