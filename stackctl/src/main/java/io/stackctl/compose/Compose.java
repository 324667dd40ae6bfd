package io.stackctl.compose;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What stackctl asks of Docker Compose for one project. {@link ComposeCli} runs the compose program, so the stack
 * stays a plain compose project users can drive by hand; tests of the orchestration stand a recording fake in its
 * place.
 */
public interface Compose {

    /** Without ANSI colours (--no-color, NO_COLOR, or output that is not a terminal). */
    Compose plain(boolean noColours);

    /**
     * The same project as another release declared it: its saved env file instead of compose/.env, and variables
     * (such as the release's own image tag) that win over any file.
     */
    Compose forRelease(Path savedEnvFile, Map<String, String> overrides);

    /** The hash compose labels a service's containers with; a container with another one runs another config. */
    String configHash(String service);

    /** The project's configuration as compose resolves it: files merged, compose/.env interpolated, paths absolute. */
    String config();

    /** Starts or updates the named services alone; replicas of app are left to the rolling deploy. */
    void upServices(List<String> services);

    /** Creates the named services' containers (and their volumes, when gone) without starting them. */
    void createServices(List<String> services);

    /** Which compose program runs it (v2 plugin or v1.29). */
    ComposeFlavour flavour();

    /**
     * Starts or updates the named services alone, as {@link #upServices}, and removes the containers of services the
     * files no longer name.
     */
    void upRemovingOrphans(List<String> services);

    /** Converges only the app service to {@code replicas}, touching nothing else. */
    void scaleApp(int replicas);

    /**
     * Starts {@code replicas} app containers, recreating those whose configuration changed, touching nothing else:
     * for a stack with none running.
     */
    void startApp(int replicas);

    /** Builds the images made from this checkout: the app and the upstream agent (stackctl's own jar). */
    void buildLocalImages();

    /** Stops and removes the containers of a profile's {@code services} (the profile was turned off). */
    void removeProfileServices(String profile, List<String> services);

    /** Removes the project's containers and networks, and its volumes with {@code volumes}. */
    void down(boolean volumes);

    /** Streams logs to the terminal; returns compose's exit code. */
    int logs(Optional<String> service, boolean follow, int tail);

    /** The command line that names this project ({@code docker compose -p NAME -f FILE}), for people to reuse. */
    List<String> base();
}
