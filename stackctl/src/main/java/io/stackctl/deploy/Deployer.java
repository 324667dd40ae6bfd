package io.stackctl.deploy;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.Sha256;
import io.stackctl.core.StackctlException;
import io.stackctl.engine.ReleaseImage;
import io.stackctl.engine.ServiceContainer;
import io.stackctl.health.HttpProbe;
import io.stackctl.prometheus.PrometheusApi;
import io.stackctl.stack.AppSecretFiles;
import io.stackctl.stack.EnvFile;
import io.stackctl.stack.Monitoring;
import io.stackctl.stack.Scaler;
import io.stackctl.stack.Stack;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Deploys releases of the app with a {@link RollingDeploy}, keeps their history, and rolls back on its own: when a
 * rollout fails, the replicas it started go, and any replica already replaced is rolled back to the release that
 * was active before, from its saved settings and its release-tagged image.
 */
public final class Deployer {

    public record Result(Release release, List<String> replaced, String watch, boolean changed) {}

    private final Stack stack;
    private final PrintWriter progress;
    private final ReleaseHistory history;
    private final RollingDeploy rolling;
    private final AppSecretFiles secretFiles;

    public Deployer(Stack stack, PrintWriter progress) {
        this.stack = stack;
        this.progress = progress;
        this.history = new ReleaseHistory(stack.files().releasesDir(), stack.project());
        this.rolling = new RollingDeploy(stack, progress);
        this.secretFiles = new AppSecretFiles(stack.files());
    }

    public ReleaseHistory history() {
        return history;
    }

    /** Rolls the replicas over to what compose/.env and the app image declare now. */
    public Result deployDeclared(RollingDeploy.Options options) {
        String imageId = stack.appImageId();
        secretFiles.ensureCurrent(EnvFile.load(stack.files().envFile()));
        String env = envText(stack.files().envFile());
        Set<String> hashes = new HashSet<>(Set.of(stack.compose().configHash(Stack.APP)));
        // Nothing declared changed since the active release (same settings, compose file and image): its replicas
        // are up to date even when this compose version prints another hash than it labelled them with.
        history.active()
                .filter(active -> imageId.equals(active.imageId()))
                .filter(active -> declarationSha(env).equals(active.declaredSha256()))
                .ifPresent(active -> hashes.add(active.configHash()));
        var declared = new RollingDeploy.Target(stack.compose(), imageId, Set.copyOf(hashes));
        repairInterrupted(declared);
        return deploy(declared, env, "", options);
    }

    /** See {@link ReleaseHistory#interrupted()}. */
    public List<Release> interrupted() {
        return history.interrupted();
    }

    /**
     * Finishes what an interrupted deploy left, before anything else changes the replicas: its release is marked
     * {@code interrupted} (so it is never a rollback's target, nor counted as served), and replicas beyond the
     * configured count (the batch it had started) go, those not running {@code keep} first. The caller then rolls
     * whatever still runs something else over to what it wants.
     */
    private void repairInterrupted(RollingDeploy.Target keep) {
        List<Release> stuck = interrupted();
        if (stuck.isEmpty()) {
            return;
        }
        for (Release release : stuck) {
            progress.printf(
                    "r%d's deploy was interrupted (stackctl stopped before it finished): repairing the replicas%n",
                    release.id());
            history.update(release.withStatus(
                    Release.Status.interrupted,
                    release.durationMs(),
                    "interrupted: stackctl stopped before it finished; repaired at " + Instant.now()));
        }
        List<ServiceContainer> replicas = stack.replicas();
        int configured = stack.desiredReplicas().get().orElse(replicas.size());
        if (replicas.size() > configured) {
            List<ServiceContainer> byKeep = new java.util.ArrayList<>(replicas);
            // Those not on the wanted release first, then the newest: what remains is the configured count.
            byKeep.sort(Comparator.comparing((ServiceContainer c) -> RollingDeploy.runs(c, keep))
                    .thenComparing(
                            Comparator.comparingInt(ServiceContainer::number).reversed()));
            List<ServiceContainer> surplus = byKeep.subList(0, replicas.size() - configured);
            progress.printf(
                    "  %d replicas run where %d are configured: removing %s%n",
                    replicas.size(), configured, RollingDeploy.names(surplus));
            progress.flush();
            stack.drainAndStop(RollingDeploy.without(replicas, surplus), List.copyOf(surplus), Scaler.DRAIN);
        }
        // Killed while it drained an old replica (or held a new one), the deploy left it marked out of rotation. Kept,
        // it serves again now, not when the mark expires: until then the agent keeps it out and health fails.
        stack.returnToRotation(stack.replicas());
    }

    /** Rolls the replicas back to release {@code id} (default: the one before the active one). */
    public Result rollbackTo(Optional<Integer> id, RollingDeploy.Options options) {
        Release active = history.active()
                .orElseThrow(() -> new StackctlException(
                        ExitCodes.PRECONDITION,
                        "no release of '" + stack.project() + "' is recorded yet, so there is nothing to return to",
                        "bin/stackctl releases lists them; up and deploy record them"));
        List<Release> interrupted = interrupted();
        if (id.isEmpty() && !interrupted.isEmpty()) {
            // The operator wants the last good release back: that is the active one, which the interrupted deploy
            // was replacing; going to the one before it would be one release too far.
            progress.printf(
                    "r%d's deploy was interrupted: rolling back to r%d, the release it was replacing (rollback again"
                            + " to go further back)%n",
                    interrupted.get(interrupted.size() - 1).id(), active.id());
            var target = targetOf(active);
            repairInterrupted(target);
            return deploy(target, envText(history.envFile(active.id())), "rollback to r" + active.id(), options);
        }
        Release wanted = id.map(n -> history.find(n)
                        .filter(r -> Files.exists(history.envFile(n)))
                        .orElseThrow(() -> new StackctlException(
                                ExitCodes.USAGE,
                                "release r" + n + " is not in the history of '" + stack.project()
                                        + "' (or its saved settings are gone)",
                                "bin/stackctl releases lists the releases to roll back to")))
                .or(() -> history.previousGood(active.id()))
                .orElseThrow(() -> new StackctlException(
                        ExitCodes.PRECONDITION,
                        "r" + active.id() + " is the first release that served: there is none before it",
                        "bin/stackctl releases lists them"));
        if (!stack.engine().imageExists(wanted.imageTag())) {
            throw new StackctlException(
                    ExitCodes.PRECONDITION,
                    "the image of r" + wanted.id() + " (" + wanted.imageTag() + ") is gone from the engine",
                    "rebuild that version of the app and deploy it, or roll back to another release");
        }
        progress.printf(
                "rolling back to r%d (image %s, config %s)%n", wanted.id(), wanted.shortImage(), wanted.shortConfig());
        progress.flush();
        return deploy(targetOf(wanted), envText(history.envFile(wanted.id())), "rollback to r" + wanted.id(), options);
    }

    /**
     * Replaces every replica with a new one of the active release (a redeploy, as {@code docker service update
     * --force} does): the rollout machinery under load with nothing changed, for drills and for a stuck replica.
     */
    public Result redeployActive(RollingDeploy.Options options, String note) {
        recordDeclaredIfNew("up");
        Release active = history.active()
                .filter(r -> Files.exists(history.envFile(r.id())))
                .orElseThrow(() -> new StackctlException(
                        ExitCodes.PRECONDITION,
                        "the running replicas match no recorded release of '" + stack.project() + "'",
                        "deploy first (bin/stackctl deploy), then run this again"));
        String imageId = stack.appImageId();
        String hash = stack.compose().configHash(Stack.APP);
        boolean declared = active.imageId().equals(imageId)
                && (active.configHash().equals(hash)
                        || declarationSha(envText(stack.files().envFile())).equals(active.declaredSha256()));
        // When the active release is what compose/.env declares, compose itself creates the replicas, so a later
        // up sees them as up to date; otherwise they come from the release's saved settings.
        var target = declared
                ? new RollingDeploy.Target(stack.compose(), imageId, Set.copyOf(List.of(hash, active.configHash())))
                : targetOf(active);
        repairInterrupted(target);
        var forced = options.with(options.maxErrorRate(), options.minErrors(), true);
        return deploy(target, envText(history.envFile(active.id())), note, forced);
    }

    /**
     * Records the running replicas as the active release when they run what is declared and no release says so
     * yet (a first up, or a stack deployed before releases were kept).
     */
    public Optional<Release> recordDeclaredIfNew(String strategy) {
        String imageId = stack.appImageId();
        var replicas = stack.replicas();
        Set<String> labels = new HashSet<>();
        replicas.forEach(c -> labels.add(c.configHash()));
        boolean oneRelease = !replicas.isEmpty()
                && labels.size() == 1
                && replicas.stream().allMatch(c -> c.imageId().equals(imageId));
        if (!oneRelease) {
            return Optional.empty();
        }
        String labelled = labels.iterator().next();
        if (history.active().map(r -> r.sameRunAs(imageId, labelled)).orElse(false)) {
            return Optional.empty();
        }
        // A first release is what compose just created from the declaration; later ones must match its hash.
        if (history.active().isPresent() && !labelled.equals(stack.compose().configHash(Stack.APP))) {
            return Optional.empty();
        }
        String env = envText(stack.files().envFile());
        Release release = newRelease(imageId, labelled, env, replicas.size(), strategy)
                .withStatus(Release.Status.active, 0, "recorded as running");
        history.add(release, env);
        history.update(release);
        return Optional.of(release);
    }

    private Result deploy(RollingDeploy.Target target, String envText, String note, RollingDeploy.Options options) {
        List<ServiceContainer> stale = rolling.stale(target, options.force());
        Optional<Release> previous = history.active();
        if (stale.isEmpty()) {
            pruneSecretFiles();
            return new Result(previous.orElse(null), List.of(), "", false);
        }
        Optional<MetricAnalysis> analysis = options.metricAnalysis() ? metricAnalysis(options) : Optional.empty();
        String hash = target.configHashes().iterator().next();
        Release candidate =
                newRelease(target.imageId(), hash, envText, stack.replicas().size(), strategy(options));
        history.add(candidate, envText);
        progress.printf(
                "deploying r%d to %d replica(s), %s (image %s, config %s)%n",
                candidate.id(),
                stale.size(),
                options.blueGreen()
                        ? "blue/green: all new ones beside the old, one switch"
                        : options.batch() + " at a time, start-first",
                candidate.shortImage(),
                candidate.shortConfig());
        progress.flush();
        long start = System.nanoTime();
        try (var watch = ErrorWatch.start(stack.api())) {
            try {
                List<String> replaced = rolling.roll(
                        target, options, watch, analysis.<BatchGate>map(a -> a).orElse(BatchGate.NONE));
                // One reading: the watch goes on counting, and the history and the printed line must agree.
                String watched = watch.summary();
                Release done = candidate
                        .withConfigHash(labelledHash(target.imageId(), hash))
                        .withStatus(Release.Status.active, millisSince(start), join(note, watched))
                        .withAnalysis(analysis.map(MetricAnalysis::steps).orElse(List.of()));
                history.update(done);
                pruneSecretFiles();
                return new Result(done, replaced, watched, true);
            } catch (RollingDeploy.RolloutFailed failure) {
                String undone = rollBack(failure, previous, options, watch);
                history.update(candidate
                        .withStatus(Release.Status.rolled_back, millisSince(start), failure.getMessage())
                        .withAnalysis(analysis.map(MetricAnalysis::steps).orElse(List.of())));
                throw new StackctlException(
                        ExitCodes.CHECK_FAILED,
                        "release r" + candidate.id() + " was rolled back: " + failure.getMessage() + "; " + undone,
                        "fix the app or compose/.env, then run bin/stackctl deploy again (bin/stackctl releases shows"
                                + " the history)");
            }
        }
    }

    /**
     * The monitoring profile's judgement of each batch, when the profile runs and compose/.env does not turn it off;
     * measured from here, the release before's figures. A blue/green switch has none: its new set takes no traffic
     * before the one switch, and the error watch judges it. Prometheus not answering stops the deploy before it starts.
     */
    private Optional<MetricAnalysis> metricAnalysis(RollingDeploy.Options options) {
        EnvFile env = EnvFile.load(stack.files().envFile());
        if (!Monitoring.enabled(stack.environment(), env)) {
            return Optional.empty();
        }
        var settings = AnalysisSettings.of(stack.environment(), env);
        if (!settings.enabled() || options.blueGreen()) {
            return Optional.empty();
        }
        var prometheus = new PrometheusApi(
                Monitoring.prometheusUrl(stack.environment(), env), new HttpProbe(Duration.ofSeconds(2)));
        if (!prometheus.ready()) {
            throw new StackctlException(
                    ExitCodes.PRECONDITION,
                    "the monitoring profile is on, so deploy judges each batch by Prometheus' figures, but Prometheus"
                            + " at " + prometheus.baseUrl() + " does not answer; nothing was changed",
                    "see bin/stackctl logs prometheus and bring it back with bin/stackctl up, or deploy without"
                            + " the analysis: " + AnalysisSettings.ENABLED + "=off bin/stackctl deploy");
        }
        return Optional.of(MetricAnalysis.begin(prometheus, settings, stack.replicas(), progress));
    }

    /**
     * Every replica runs compose/.env's secrets once a rollout ends (a rollback's too, as it keeps today's): the
     * folders of older ones have no reader left. Not after a failed one, whose old replicas may still read theirs.
     */
    private void pruneSecretFiles() {
        EnvFile.load(stack.files().envFile()).get(AppSecretFiles.ID_VARIABLE).ifPresent(secretFiles::pruneExcept);
    }

    /** Removes what the failed batch started, then returns replaced replicas to the previous release. */
    private String rollBack(
            RollingDeploy.RolloutFailed failure,
            Optional<Release> previous,
            RollingDeploy.Options options,
            ErrorWatch watch) {
        List<ServiceContainer> started = failure.started();
        if (!started.isEmpty()) {
            var keep = RollingDeploy.without(stack.replicas(), started).stream()
                    .filter(ServiceContainer::healthy)
                    .toList();
            progress.printf("  removing %s%n", RollingDeploy.names(started));
            progress.flush();
            stack.drainAndStop(keep.isEmpty() ? stack.replicas() : keep, started, Scaler.DRAIN);
        }
        if (previous.isEmpty() || !Files.exists(history.envFile(previous.get().id()))) {
            return "no earlier release is recorded, so replicas already replaced keep the new one";
        }
        var target = targetOf(previous.get());
        var back = options.with(1.0, Integer.MAX_VALUE, false);
        List<String> restored = rolling.roll(target, back, watch);
        return restored.isEmpty()
                ? "the old replicas served throughout (" + watch.summary() + ")"
                : "rolled " + restored.size() + " replica(s) back to r"
                        + previous.get().id() + " (" + watch.summary() + ")";
    }

    /**
     * A release as it ran: its saved settings and image, with the secrets of compose/.env now (compose prefers its
     * environment to the env file), so a rollback never brings back a rotated password or key.
     */
    private RollingDeploy.Target targetOf(Release release) {
        EnvFile today = EnvFile.load(stack.files().envFile());
        secretFiles.ensureCurrent(today);
        Map<String, String> overrides = new HashMap<>(today.secrets());
        overrides.put("APP_IMAGE", release.imageTag());
        var compose = stack.compose().forRelease(history.envFile(release.id()), overrides);
        return new RollingDeploy.Target(
                compose, release.imageId(), Set.copyOf(List.of(release.configHash(), compose.configHash(Stack.APP))));
    }

    /** The config hash compose labelled the replicas of {@code imageId} with (what the next deploy compares). */
    private String labelledHash(String imageId, String fallback) {
        return stack.replicas().stream()
                .filter(c -> c.imageId().equals(imageId) && !c.configHash().isEmpty())
                .map(ServiceContainer::configHash)
                .findFirst()
                .orElse(fallback);
    }

    /** What declares the replicas: compose/.env (or a release's saved copy) and compose.yaml. */
    private String declarationSha(String envText) {
        String compose;
        try {
            compose = Files.readString(stack.files().composeFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Sha256.of((envText + "\n--- compose.yaml ---\n" + compose).getBytes(StandardCharsets.UTF_8));
    }

    private Release newRelease(String imageId, String configHash, String envText, int replicas, String strategy) {
        int id = history.nextId();
        String reference = ReleaseImage.keep(stack.engine(), stack.settings().appImage(), imageId);
        return new Release(
                id,
                Instant.now(),
                imageId,
                reference,
                configHash,
                Sha256.of(envText.getBytes(StandardCharsets.UTF_8)),
                replicas,
                strategy,
                Release.Status.deploying,
                0,
                "",
                declarationSha(envText),
                List.of());
    }

    private static String strategy(RollingDeploy.Options options) {
        return options.describe();
    }

    private static String envText(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String join(String note, String summary) {
        return note.isEmpty() ? summary : note + "; " + summary;
    }

    private static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }
}
