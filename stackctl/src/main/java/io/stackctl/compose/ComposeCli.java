package io.stackctl.compose;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import io.stackctl.process.ProcessRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Provisioning through the compose CLI, so the stack stays a plain compose project that users can drive
 * by hand. Project name and file are passed explicitly; output goes to the caller, failures name the command.
 */
public final class ComposeCli implements Compose {

    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration UP_TIMEOUT = Duration.ofMinutes(15);

    private final ProcessRunner runner;
    private final ComposeFlavour flavour;
    private final String project;
    private final List<Path> composeFiles;
    private final Supplier<List<String>> profiles;
    private final Optional<Path> envFile;
    private final boolean plain;

    /** @param composeFiles compose.yaml, then any file that adds to it (offsite.yaml), as compose's -f options */
    public ComposeCli(ProcessRunner runner, ComposeFlavour flavour, String project, List<Path> composeFiles) {
        this(runner, flavour, project, composeFiles, List::of);
    }

    /**
     * @param profiles compose's profiles to turn on (the monitoring profile), asked again for every command:
     *     compose/.env decides, and {@code up --monitoring} changes it after the stack was opened
     */
    public ComposeCli(
            ProcessRunner runner,
            ComposeFlavour flavour,
            String project,
            List<Path> composeFiles,
            Supplier<List<String>> profiles) {
        this(runner, flavour, project, List.copyOf(composeFiles), profiles, Optional.empty(), false);
    }

    private ComposeCli(
            ProcessRunner runner,
            ComposeFlavour flavour,
            String project,
            List<Path> composeFiles,
            Supplier<List<String>> profiles,
            Optional<Path> envFile,
            boolean plain) {
        this.runner = runner;
        this.flavour = flavour;
        this.project = project;
        this.composeFiles = composeFiles;
        this.profiles = profiles;
        this.envFile = envFile;
        this.plain = plain;
    }

    /** Without ANSI colours (--no-color, NO_COLOR, or output that is not a terminal): v1.29 and v2 both take --ansi. */
    @Override
    public ComposeCli plain(boolean noColours) {
        return new ComposeCli(runner, flavour, project, composeFiles, profiles, envFile, noColours);
    }

    /**
     * The same project as another release declared it: its saved env file instead of compose/.env, and variables
     * (such as the release's own image tag) that win over any file.
     */
    @Override
    public ComposeCli forRelease(Path savedEnvFile, Map<String, String> overrides) {
        return new ComposeCli(
                runner.with(overrides), flavour, project, composeFiles, profiles, Optional.of(savedEnvFile), plain);
    }

    /** The hash compose labels a service's containers with; a container with another one runs another config. */
    @Override
    public String configHash(String service) {
        var command = base();
        command.addAll(List.of("config", "--hash", service));
        String output = runner.check(command, PROBE_TIMEOUT).stdout().strip();
        return output.lines()
                .map(line -> line.strip().split("\\s+"))
                .filter(parts -> parts.length == 2 && parts[0].equals(service))
                .map(parts -> parts[1])
                .findFirst()
                .orElseThrow(() -> new StackctlException(
                        ExitCodes.FAILED,
                        "compose config --hash " + service + " printed no hash: " + output,
                        "check compose/compose.yaml with: " + String.join(" ", base()) + " config"));
    }

    /** The project's configuration as compose resolves it: files merged, compose/.env interpolated, paths absolute. */
    @Override
    public String config() {
        var command = base();
        command.add("config");
        return runner.check(command, PROBE_TIMEOUT).stdout();
    }

    /** Starts or updates the named services alone; replicas of app are left to the rolling deploy. */
    @Override
    public void upServices(List<String> services) {
        var args = new ArrayList<>(List.of("up", "-d", "--no-deps"));
        args.addAll(services);
        run(args.toArray(String[]::new));
    }

    @Override
    public void createServices(List<String> services) {
        var args = new ArrayList<>(List.of("up", "--no-start", "--no-deps"));
        args.addAll(services);
        run(args.toArray(String[]::new));
    }

    /** Finds the compose CLI, or says how to install one (exit 3). */
    public static ComposeFlavour detect(ProcessRunner runner) {
        return probe(runner)
                .orElseThrow(() -> new StackctlException(
                        ExitCodes.PRECONDITION,
                        "no Docker Compose found (need 'docker compose' v2 or 'docker-compose' 1.29+)",
                        "install the compose plugin (docker-compose-plugin) or Debian's docker-compose package"));
    }

    /** As {@link #detect(ProcessRunner)}, answered from {@code cacheFile} while the compose programs are unchanged. */
    public static ComposeFlavour detect(ProcessRunner runner, Path cacheFile) {
        var cache = new FlavourCache(cacheFile, runner.environment());
        return cache.get().orElseGet(() -> {
            var found = detect(runner);
            cache.put(found);
            return found;
        });
    }

    /** v2 first; the v1 program (Python, slow to start) only when there is no v2. */
    public static Optional<ComposeFlavour> probe(ProcessRunner runner) {
        var v2 = ComposeFlavour.choose(versionOutput(runner, ComposeFlavour.V2), Optional.empty());
        return v2.isPresent() ? v2 : ComposeFlavour.choose(Optional.empty(), versionOutput(runner, ComposeFlavour.V1));
    }

    private static Optional<String> versionOutput(ProcessRunner runner, List<String> command) {
        var probe = new ArrayList<>(command);
        probe.add("version");
        try {
            var result = runner.capture(probe, PROBE_TIMEOUT);
            return result.ok() ? Optional.of(result.stdout()) : Optional.empty();
        } catch (StackctlException e) {
            return Optional.empty();
        }
    }

    @Override
    public ComposeFlavour flavour() {
        return flavour;
    }

    @Override
    public void upRemovingOrphans(List<String> services) {
        var args = new ArrayList<>(List.of("up", "-d", "--no-deps", "--remove-orphans"));
        args.addAll(services);
        run(args.toArray(String[]::new));
    }

    /** Converges only the app service to {@code replicas}, touching nothing else. */
    @Override
    public void scaleApp(int replicas) {
        run("up", "-d", "--no-deps", "--no-recreate", "--scale", "app=" + replicas, "app");
    }

    @Override
    public void startApp(int replicas) {
        run("up", "-d", "--no-deps", "--scale", "app=" + replicas, "app");
    }

    /** Builds the images made from this checkout: the app and the upstream agent (stackctl's own jar). */
    @Override
    public void buildLocalImages() {
        run("build", "app", "upstream-agent", "db");
    }

    /**
     * Stops and removes the containers of {@code services}, which belong to {@code profile}: compose leaves a
     * profile's containers running when the profile is no longer asked for, and knows its services only when it is.
     */
    @Override
    public void removeProfileServices(String profile, List<String> services) {
        var args = new ArrayList<>(List.of("--profile", profile, "rm", "--stop", "--force"));
        args.addAll(services);
        run(args.toArray(String[]::new));
    }

    @Override
    public void down(boolean volumes) {
        if (volumes) {
            run("down", "--remove-orphans", "--volumes");
        } else {
            run("down", "--remove-orphans");
        }
    }

    /** Streams logs to the terminal; returns compose's exit code. */
    @Override
    public int logs(Optional<String> service, boolean follow, int tail) {
        var command = base();
        if (plain) {
            command.addAll(List.of("--ansi", "never"));
        }
        command.addAll(List.of("logs", "--tail", Integer.toString(tail)));
        if (plain) {
            command.add("--no-color");
        }
        if (follow) {
            command.add("-f");
        }
        service.ifPresent(command::add);
        return runner.interactive(command);
    }

    /** The command prefix a user can paste to drive the same project by hand. */
    @Override
    public List<String> base() {
        var command = new ArrayList<>(flavour.command());
        envFile.ifPresent(file -> command.addAll(List.of("--env-file", file.toString())));
        command.addAll(List.of("-p", project));
        composeFiles.forEach(file -> command.addAll(List.of("-f", file.toString())));
        profiles.get().forEach(profile -> command.addAll(List.of("--profile", profile)));
        return command;
    }

    private void run(String... args) {
        var command = base();
        if (plain) {
            command.addAll(List.of("--ansi", "never"));
        }
        command.addAll(List.of(args));
        runner.check(command, UP_TIMEOUT);
    }
}
