package io.stackctl.nginx;

import io.stackctl.core.AtomicFiles;
import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import io.stackctl.engine.Engine;
import io.stackctl.engine.ServiceContainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Applies an upstream: writes the file atomically where the nginx container reads it, checks the whole
 * configuration with {@code nginx -t}, then reloads. A reload is graceful: old workers finish their requests.
 * A configuration that does not check out is rolled back and never reloaded.
 */
public final class Nginx {

    private static final Duration EXEC_TIMEOUT = Duration.ofSeconds(20);

    private final Engine engine;
    private final Path upstreamFile;

    public Nginx(Engine engine, Path upstreamFile) {
        this.engine = engine;
        this.upstreamFile = upstreamFile;
    }

    public String current() {
        try {
            return Files.exists(upstreamFile) ? Files.readString(upstreamFile) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the upstream without reloading (before nginx exists). */
    public void write(String rendered) {
        try {
            AtomicFiles.writeString(upstreamFile, rendered);
        } catch (IOException e) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "cannot write " + upstreamFile + ": " + e.getMessage(),
                    "check the folder's permissions");
        }
    }

    /** Applies the upstream to every running nginx container; rolls back when {@code nginx -t} refuses it. */
    public void apply(String rendered, List<ServiceContainer> nginxContainers) {
        String previous = current();
        write(rendered);
        for (ServiceContainer nginx : nginxContainers) {
            var refused = checkAndReload(engine, nginx);
            if (refused.isPresent()) {
                write(previous);
                throw new StackctlException(
                        ExitCodes.FAILED,
                        "nginx in " + nginx.name() + " did not take the rendered upstream (" + refused.get()
                                + "); the previous one is kept",
                        "look at " + upstreamFile + " and nginx/nginx.conf; stackctl logs nginx shows more");
            }
        }
    }

    /**
     * {@code nginx -t}, then a graceful {@code nginx -s reload} (old workers finish their requests); what nginx said
     * when either failed. A configuration that does not check out is never loaded.
     */
    public static java.util.Optional<String> checkAndReload(Engine engine, ServiceContainer nginx) {
        var test = engine.exec(nginx.id(), EXEC_TIMEOUT, "nginx", "-t", "-q");
        if (test.exitCode() != 0) {
            return java.util.Optional.of(test.output().strip());
        }
        var reload = engine.exec(nginx.id(), EXEC_TIMEOUT, "nginx", "-s", "reload");
        return reload.exitCode() == 0
                ? java.util.Optional.empty()
                : java.util.Optional.of(reload.output().strip());
    }
}
