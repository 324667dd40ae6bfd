package io.stackctl.stack;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import java.io.PrintWriter;

/** The images built from this checkout (the app, the upstream agent, the db with pgBackRest), and what to say when an image cannot be had. */
public final class LocalImages {

    /** What fixes any image that cannot be had without a registry. */
    public static final String OFFLINE_HINT = "on a host without a registry: bin/stackctl up --offline (builds"
            + " stand-ins locally); or point POSTGRES_IMAGE, REDIS_IMAGE, NGINX_IMAGE, JRE_IMAGE in compose/.env at"
            + " images you have";

    private LocalImages() {}

    /**
     * Rebuilds them, as {@code docker compose up --build} does: an image kept only because it exists would go on
     * serving yesterday's code (and schema) after a change. Docker's layer cache makes an unchanged rebuild cost
     * about a second. {@code keep} builds only what is missing.
     */
    public static void build(Stack stack, boolean keep, PrintWriter progress) {
        var settings = stack.settings();
        String image = settings.appImage();
        boolean exists = stack.engine().imageExists(image)
                && stack.engine().imageExists(settings.agentImage())
                && stack.engine().imageExists(settings.dbImage());
        if (keep && exists) {
            return;
        }
        progress.printf(
                (exists ? "rebuilding the app image %s (cached layers are reused)" : "building the app image %s")
                        + "%n",
                image);
        progress.flush();
        try {
            stack.compose().buildLocalImages();
        } catch (StackctlException e) {
            var missing = java.util.stream.Stream.of(settings.jreImage(), settings.postgresImage())
                    .filter(base -> !stack.engine().imageExists(base))
                    .toList();
            if (missing.isEmpty()) {
                throw e;
            }
            throw new StackctlException(
                    ExitCodes.PRECONDITION,
                    "cannot build the app, upstream-agent and db images: "
                            + (missing.size() == 1
                                    ? "their base image " + missing.get(0) + " is"
                                    : "their base images " + String.join(" and ", missing) + " are")
                            + " not on this host and no image registry answered (" + lastLine(e.getMessage()) + ")",
                    OFFLINE_HINT,
                    e);
        }
    }

    /** The last of the ' | '-joined lines a failed command's message carries, shortened. */
    public static String lastLine(String message) {
        String[] parts = message.split(" \\| ");
        String last = parts[parts.length - 1].strip();
        return last.length() > 200 ? last.substring(0, 200) + "..." : last;
    }
}
