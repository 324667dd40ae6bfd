package io.stackctl.nginx;

import io.stackctl.core.AtomicFiles;
import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import io.stackctl.engine.Engine;
import io.stackctl.engine.ServiceContainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * nginx's maintenance answer: while it is on, every request through nginx gets {@code 503} with
 * {@code Retry-After} and a JSON error the API's clients already parse ({@code {"error":"maintenance",...}}),
 * instead of requests that hang on a database being restored and then fail one by one. nginx includes
 * {@code maintenance/*.conf} in its API location; the file is there or not, and a reload applies it gracefully.
 */
public final class Maintenance {

    private final Engine engine;
    private final Path file;

    public Maintenance(Engine engine, Path upstreamDir) {
        this.engine = engine;
        this.file = upstreamDir.resolve("maintenance").resolve("on.conf");
    }

    public boolean active() {
        return Files.exists(file);
    }

    /** Turns the maintenance answer on in every running nginx; {@code why} is what clients read. */
    public void on(String why, Duration retryAfter, List<ServiceContainer> nginxContainers) {
        try {
            AtomicFiles.writeString(file, render(why, retryAfter));
        } catch (IOException e) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "cannot write " + file + ": " + e.getMessage(),
                    "check the permissions of " + file.getParent());
        }
        reload(nginxContainers);
    }

    /** Turns it off again (safe to call when it is off). */
    public void off(List<ServiceContainer> nginxContainers) {
        try {
            if (!Files.deleteIfExists(file)) {
                return;
            }
        } catch (IOException e) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "cannot remove " + file + ": " + e.getMessage() + "; nginx still answers 503 maintenance",
                    "delete it by hand, then: bin/stackctl up");
        }
        reload(nginxContainers);
    }

    static String render(String why, Duration retryAfter) {
        String detail = (why + "; retry after " + retryAfter.toSeconds() + " s")
                .replace("\\", "")
                .replace("'", "");
        return "# Written by stackctl while it restores the database; removed when it is done.\n"
                + "default_type application/json;\n"
                + "add_header Retry-After " + retryAfter.toSeconds() + " always;\n"
                + "add_header Cache-Control no-store always;\n"
                + "return 503 '{\"error\":\"maintenance\",\"detail\":\"" + detail.replace("\"", "") + "\"}';\n";
    }

    private void reload(List<ServiceContainer> nginxContainers) {
        for (ServiceContainer nginx : nginxContainers) {
            Nginx.checkAndReload(engine, nginx).ifPresent(refused -> {
                throw new StackctlException(
                        ExitCodes.FAILED,
                        "nginx in " + nginx.name() + " did not take the maintenance change: " + refused,
                        "stackctl logs nginx shows why");
            });
        }
    }
}
