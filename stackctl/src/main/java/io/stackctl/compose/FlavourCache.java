package io.stackctl.compose;

import io.stackctl.core.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The compose CLI found last time, kept while the programs it was found among are unchanged: finding it runs
 * {@code docker compose version} and {@code docker-compose version}, and the second (Python) took about 0.7 s of
 * CPU on every stackctl command. The key is the size and modification time of every file that could answer: the
 * {@code docker} and {@code docker-compose} on the PATH and the compose plugin in each of Docker's plugin folders,
 * so installing, upgrading or removing either finds it again.
 */
final class FlavourCache {

    private final Path file;
    private final Map<String, String> environment;

    FlavourCache(Path file, Map<String, String> environment) {
        this.file = file;
        this.environment = environment;
    }

    Optional<ComposeFlavour> get() {
        try {
            if (!Files.isRegularFile(file)) {
                return Optional.empty();
            }
            List<String> lines = Files.readAllLines(file);
            if (lines.size() != 3 || !lines.get(0).equals(key())) {
                return Optional.empty();
            }
            return Optional.of(new ComposeFlavour(List.of(lines.get(1).split(" ")), lines.get(2)));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // found again, and written again
        }
    }

    void put(ComposeFlavour flavour) {
        try {
            Files.createDirectories(file.getParent());
            AtomicFiles.writeString(
                    file, key() + "\n" + String.join(" ", flavour.command()) + "\n" + flavour.version() + "\n");
        } catch (IOException e) {
            // a cache: the next command finds compose again
        }
    }

    /** What identifies the candidates: each one's path, size and modification time, or that it is absent. */
    String key() {
        var key = new StringBuilder();
        for (Path candidate : candidates()) {
            key.append(candidate).append('=');
            try {
                key.append(Files.size(candidate))
                        .append('@')
                        .append(Files.getLastModifiedTime(candidate).toMillis());
            } catch (IOException e) {
                key.append('-');
            }
            key.append(';');
        }
        return key.toString();
    }

    private List<Path> candidates() {
        List<Path> candidates = new ArrayList<>();
        onPath("docker").ifPresent(candidates::add);
        onPath("docker-compose").ifPresent(candidates::add);
        String home = environment.getOrDefault("HOME", "");
        String config = environment.getOrDefault("DOCKER_CONFIG", home + "/.docker");
        for (String dir : List.of(
                config + "/cli-plugins",
                "/usr/local/lib/docker/cli-plugins",
                "/usr/local/libexec/docker/cli-plugins",
                "/usr/lib/docker/cli-plugins",
                "/usr/libexec/docker/cli-plugins")) {
            candidates.add(Path.of(dir, "docker-compose"));
        }
        return candidates;
    }

    private Optional<Path> onPath(String program) {
        for (String dir : environment.getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return Optional.of(Path.of(dir, program));
            }
        }
        return Optional.empty();
    }
}
