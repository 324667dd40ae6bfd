package io.stackctl.fakes;

import io.stackctl.compose.Compose;
import io.stackctl.compose.ComposeFlavour;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Compose in memory, over a {@link RecordingEngine}: scaling the app up starts the missing replicas (numbered on
 * from the highest, as compose does), and every call is written to the engine's log, so one log orders both.
 */
public final class RecordingCompose implements Compose {

    private final RecordingEngine engine;
    /** Empty: what compose/.env declares now; else the saved settings of the release this runs as. */
    private final Optional<String> release;

    public RecordingCompose(RecordingEngine engine) {
        this(engine, Optional.empty());
    }

    private RecordingCompose(RecordingEngine engine, Optional<String> release) {
        this.engine = engine;
        this.release = release;
    }

    @Override
    public void scaleApp(int replicas) {
        if (release.isPresent()) {
            throw notFaked("start replicas of release " + release.get());
        }
        engine.log.add("compose scale app=" + replicas);
        var app = engine.all().stream().filter(c -> c.service().equals("app")).toList();
        int next = app.stream().mapToInt(c -> c.number()).max().orElse(0);
        for (int missing = replicas - app.size(); missing > 0; missing--) {
            engine.start("app", ++next);
        }
    }

    private static AssertionError notFaked(String what) {
        return new AssertionError("the orchestration asked compose to " + what + ", which this test did not expect");
    }

    @Override
    public Compose plain(boolean noColours) {
        return this;
    }

    @Override
    public Compose forRelease(Path savedEnvFile, Map<String, String> overrides) {
        engine.log.add("compose as " + savedEnvFile.getFileName() + " with APP_IMAGE=" + overrides.get("APP_IMAGE"));
        return new RecordingCompose(
                engine, Optional.of(savedEnvFile.getFileName().toString()));
    }

    /** The hash of what compose/.env and compose.yaml declare now. */
    @Override
    public String configHash(String service) {
        return release.map(file -> "config-of-" + file).orElse(engine.declaredConfig);
    }

    @Override
    public String config() {
        throw notFaked("print the config");
    }

    @Override
    public void upServices(List<String> services) {
        throw notFaked("up " + services);
    }

    @Override
    public void createServices(List<String> services) {
        throw notFaked("create " + services);
    }

    @Override
    public ComposeFlavour flavour() {
        throw notFaked("name its flavour");
    }

    @Override
    public void startApp(int replicas) {
        throw notFaked("start app=" + replicas);
    }

    @Override
    public void upRemovingOrphans(List<String> services) {
        throw notFaked("up " + services + ", removing orphans");
    }

    @Override
    public void buildLocalImages() {
        throw notFaked("build images");
    }

    @Override
    public void down(boolean volumes) {
        throw notFaked("take the stack down");
    }

    @Override
    public void removeProfileServices(String profile, List<String> services) {
        engine.log.add("compose rm profile " + profile + " " + String.join(" ", services));
    }

    @Override
    public int logs(Optional<String> service, boolean follow, int tail) {
        throw notFaked("stream logs");
    }

    @Override
    public List<String> base() {
        return List.of("docker", "compose", "-p", "fake");
    }
}
