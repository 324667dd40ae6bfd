package io.stackctl.stack;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where the stack's files live inside a stackctl checkout (the project directory). */
public record StackFiles(Path root) {

    /** The directory given, else {@code STACKCTL_HOME}, else the first parent of the working directory with a stack. */
    public static StackFiles locate(Path given, String stackctlHome, Path workingDirectory) {
        if (given != null) {
            return require(given.toAbsolutePath().normalize());
        }
        if (stackctlHome != null && !stackctlHome.isBlank()) {
            return require(Path.of(stackctlHome).toAbsolutePath().normalize());
        }
        for (Path dir = workingDirectory.toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("compose/compose.yaml"))) {
                return new StackFiles(dir);
            }
        }
        throw new StackctlException(
                ExitCodes.PRECONDITION,
                "no stack found: compose/compose.yaml is not in " + workingDirectory + " or any parent",
                "run stackctl from the stackctl checkout, or pass --project-dir DIR");
    }

    private static StackFiles require(Path root) {
        if (!Files.isRegularFile(root.resolve("compose/compose.yaml"))) {
            throw new StackctlException(
                    ExitCodes.PRECONDITION,
                    "no compose/compose.yaml under " + root,
                    "pass --project-dir pointing at the stackctl checkout");
        }
        return new StackFiles(root);
    }

    public Path composeDir() {
        return root.resolve("compose");
    }

    public Path composeFile() {
        return composeDir().resolve("compose.yaml");
    }

    /**
     * compose.yaml, joined by offsite.yaml when compose/.env names an off-host backup repository, and by db-volume.yaml
     * when it names a device for the database.
     */
    public java.util.List<Path> composeFiles(boolean offsiteRepository, boolean dbVolumeDevice) {
        var files = new java.util.ArrayList<Path>(java.util.List.of(composeFile()));
        if (offsiteRepository) {
            files.add(composeDir().resolve("offsite.yaml"));
        }
        if (dbVolumeDevice) {
            files.add(composeDir().resolve("db-volume.yaml"));
        }
        return java.util.List.copyOf(files);
    }

    /** Where the upstream agent writes the replicas for Prometheus to scrape (file-based discovery). */
    public Path scrapeTargetsDir() {
        return upstreamDir().resolve("monitoring");
    }

    /**
     * Where a running bench or drill leaves its mark for Prometheus (node_exporter's textfile collector, in the
     * monitoring profile's volume-exporter): one file per run, removed when it ends.
     */
    public Path runMarksDir() {
        return upstreamDir().resolve("runs");
    }

    public Path envFile() {
        return composeDir().resolve(".env");
    }

    public Path upstreamDir() {
        return composeDir().resolve("generated");
    }

    public Path upstreamFile() {
        return upstreamDir().resolve("upstream.conf");
    }

    /** What the app's replicas read their token keys from (mounted read-only at /run/stack-keys). */
    public Path tokenKeysFile() {
        return composeDir().resolve("keys").resolve("jwt-keys.json");
    }

    /**
     * The credentials the db and cache services read as files (compose/secrets/db and compose/secrets/cache, each
     * mounted read-only at /run/stack-secrets), not from their environment, so a rotation changes them with no
     * restart. See {@link CredentialFiles}.
     */
    public Path secretsDir() {
        return composeDir().resolve("secrets");
    }

    /** The stack's private CA and nginx's certificate (see {@code io.stackctl.tls.EdgeTls}). */
    public Path tlsDir() {
        return composeDir().resolve("tls");
    }

    /** Release history and each release's saved settings (private, git-ignored). */
    public Path releasesDir() {
        return composeDir().resolve("releases");
    }

    /** What stackctl remembers per project between commands (the configured replica count). */
    public Path stateDir() {
        return composeDir().resolve("state");
    }

    /** Per-project command locks (see {@link StackLock}). */
    public Path locksDir() {
        return composeDir().resolve("locks");
    }

    public Path imagesScript() {
        return composeDir().resolve("images/build.sh");
    }
}
