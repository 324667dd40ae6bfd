package io.stackctl.targets;

import io.stackctl.autoscale.AutoscaleSettings;
import io.stackctl.backup.BackupSchedule;
import io.stackctl.backup.InterruptedRestore;
import io.stackctl.backup.PointInTimeRestore;
import io.stackctl.core.ExitCodes;
import io.stackctl.core.Pause;
import io.stackctl.core.StackctlException;
import io.stackctl.deploy.RollingDeploy;
import io.stackctl.health.HttpProbe;
import io.stackctl.nginx.EdgeStatusLog;
import io.stackctl.nginx.Nginx;
import io.stackctl.stack.AlertmanagerConfig;
import io.stackctl.stack.AppSecretFiles;
import io.stackctl.stack.CredentialFiles;
import io.stackctl.stack.DbVolume;
import io.stackctl.stack.EnvFile;
import io.stackctl.stack.LocalImages;
import io.stackctl.stack.Monitoring;
import io.stackctl.stack.MonitoringSecrets;
import io.stackctl.stack.OfflineImages;
import io.stackctl.stack.OffsiteRepository;
import io.stackctl.stack.Scaler;
import io.stackctl.stack.SloTarget;
import io.stackctl.stack.Stack;
import io.stackctl.stack.StackFiles;
import io.stackctl.stack.StackSettings;
import io.stackctl.stack.Standby;
import io.stackctl.tls.EdgeTls;
import io.stackctl.tls.InternalTls;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code up} on any target: compose/.env with its secrets, the images, the services converged and healthy, no
 * maintenance answer or interrupted restore left behind, and nginx answering /ready.
 */
public final class Provisioner {

    /** How long a point-in-time restore that `up` runs again (its stackctl was killed) may take. */
    static final java.time.Duration PITR_TIMEOUT = java.time.Duration.ofHours(1);

    /** What {@code up} was asked for. */
    public record Request(
            Optional<Integer> replicas,
            boolean offline,
            boolean keepImages,
            RollingDeploy.Options rollout,
            Duration waitTimeout,
            Optional<Boolean> monitoring,
            Optional<Boolean> standby) {}

    private final Target target;
    private final Stack stack;
    private final PrintWriter progress;

    public Provisioner(Target target, PrintWriter progress) {
        this.target = target;
        this.stack = target.stack();
        this.progress = progress;
    }

    /** Exit 3 before anything starts when compose/.env holds a secret anyone could guess. */
    public static void refuseWeakSecrets(StackFiles files) {
        var weak = EnvFile.load(files.envFile()).weakSecrets();
        if (!weak.isEmpty()) {
            throw new StackctlException(
                    ExitCodes.PRECONDITION,
                    "refusing to start with weak secrets: " + String.join("; ", weak),
                    EnvFile.weakSecretsHint(files.envFile()));
        }
    }

    /** Brings the stack up; returns nginx's /ready answer once everything is healthy. */
    public HttpProbe.Result up(Request request) {
        request.replicas().ifPresent(Scaler::validate);
        target.requireUsable();
        var envFile = EnvFile.load(stack.files().envFile());
        var offsite = OffsiteRepository.resolve(stack.environment(), envFile);
        var dbVolume = DbVolume.resolve(stack.environment(), envFile);
        if (dbVolume.isPresent() && !target.name().equals("compose")) {
            throw new StackctlException(
                    ExitCodes.USAGE,
                    "a device for the database (" + DbVolume.DEVICE + ") is mounted on the compose target only, not yet"
                            + " on " + target.name(),
                    "remove " + DbVolume.DEVICE + " from compose/.env, or use compose");
        }
        if (target.name().equals("compose")) {
            DbVolume.requireUnchanged(stack.engine(), stack.project(), dbVolume);
        }
        // The agent runs the schedule: a wrong expression is refused here, before anything starts.
        BackupSchedule.parse(key -> StackSettings.setting(key, "", stack.environment(), envFile));
        var autoscale = AutoscaleSettings.of(stack.environment(), envFile);
        if (autoscale.isPresent() && !target.name().equals("compose")) {
            throw new StackctlException(
                    ExitCodes.USAGE,
                    "the autoscaler runs on the compose target only, not yet on " + target.name(),
                    "remove " + AutoscaleSettings.RANGE + " from compose/.env (or set it to off), or use compose");
        }
        request.replicas().ifPresent(n -> autoscale.ifPresent(a -> a.requireAdmits(n, "up --replicas")));
        boolean monitoring = request.monitoring().orElseGet(() -> Monitoring.enabled(stack.environment(), envFile));
        var slo = SloTarget.of(stack.environment(), envFile);
        String edgeCounts = EdgeStatusLog.validate(
                StackSettings.setting(EdgeStatusLog.SETTING, "auto", stack.environment(), envFile));
        boolean standby = request.standby().orElseGet(() -> Standby.enabled(stack.environment(), envFile));
        Standby.synchronous(stack.environment(), envFile);
        Standby.readsFromStandby(stack.environment(), envFile);
        if (standby && !target.name().equals("compose")) {
            throw new StackctlException(
                    ExitCodes.USAGE,
                    "the standby runs on the compose target only, not yet on " + target.name(),
                    "bring the stack up without it (bin/stackctl up --no-standby), or on compose");
        }
        var standbyLeft = standby ? Optional.<StandbyRemoval>empty() : StandbyRemoval.needed(stack);
        // Only after the engine answered: a failed precondition must leave no file behind.
        prepareEnvFile(request.offline(), offsite, request.monitoring(), request.standby());
        stack.reloadSettings();
        var tls = EdgeTls.of(stack);
        tls.ensureFolder();
        var previous = tls.snapshot();
        Optional<String> certificate = stack.settings().tls() ? tls.prepare(Instant.now()) : Optional.empty();
        certificate.ifPresent(done -> say("%s", done));
        var internalTls = InternalTls.of(stack);
        var internal = internalTls.prepare(Instant.now());
        internal.describe().ifPresent(done -> say("%s", done));
        int running = stack.replicas().size();
        // With the autoscaler on, the count it last chose stands (within its bounds), as scale's does without it.
        int replicas = request.replicas()
                .orElseGet(() ->
                        autoscale.map(a -> a.clamp(target.desiredReplicas())).orElseGet(target::desiredReplicas));
        if (request.replicas().isEmpty() && running > 0 && running != replicas) {
            say(
                    "app: %d running, %d configured; restoring %d (bin/stackctl scale app=N changes the count)",
                    running, replicas, replicas);
        }
        stack.desiredReplicas().set(replicas);
        LocalImages.build(stack, request.keepImages(), progress);
        // Before compose starts a stopped db: a restore killed while it rewrote the data directory finishes first.
        PointInTimeRestore.resumeInterrupted(stack, progress, PITR_TIMEOUT);
        boolean sloChanged = monitoring && slo.write(stack.files().scrapeTargetsDir());
        var edgeLog = new EdgeStatusLog(stack.files().scrapeTargetsDir());
        var edgeSource = EdgeStatusLog.choose(edgeCounts, stack.settings().nginxImage(), stack.engine());
        boolean edgeLogPending = edgeLog.set(monitoring, edgeSource);
        if (edgeLogPending && monitoring && edgeSource == EdgeStatusLog.Source.NGINX && reloadedEarly(edgeLog)) {
            edgeLogPending = false;
        }
        standbyLeft.ifPresent(removal -> removal.run(progress));
        if (standby) {
            StandbyRemoval.clearLeftData(stack, progress);
        }
        target.provision(replicas, request.rollout(), request.waitTimeout());
        if (edgeLogPending) {
            // Before the edge-exporter goes (profile off), after it came (on): it makes the log's files before nginx
            // writes a line in them.
            reloadForEdgeLog(edgeLog, edgeSource);
        }
        if (!monitoring && target.name().equals("compose")) {
            // On Swarm, docker stack deploy --prune took them away.
            removeMonitoringLeft();
        } else if (monitoring && sloChanged) {
            reloadPrometheus(slo);
        }
        // Every replica runs on compose/.env's secrets now: the folders of older ones have no reader left.
        new AppSecretFiles(stack.files())
                .pruneExcept(EnvFile.load(stack.files().envFile())
                        .get(AppSecretFiles.ID_VARIABLE)
                        .orElse(""));
        // A running nginx loads a new certificate, or the one a stopped `certs renew` wrote; a new nginx read it at
        // start.
        boolean stale = stack.settings().tls()
                && tls.current()
                        .flatMap(file ->
                                tls.served(stack).filter(s -> !s.sha256().equals(file.sha256())))
                        .isPresent();
        if (certificate.isPresent() || stale) {
            tls.reload(stack, previous);
        }
        if (!internal.services().isEmpty() && target.name().equals("compose")) {
            // A db or cache that kept running serves its old certificate until told: renewed ones load with no restart.
            internalTls.load(stack, internal).forEach(line -> say("  %s", line));
        }
        new InterruptedRestore(stack, progress).finish();
        PointInTimeRestore.resumeInterrupted(stack, progress, PITR_TIMEOUT);
        if (stack.maintenance().active()) {
            say("turning off nginx's maintenance answer, left by an interrupted restore");
            stack.maintenance().off(stack.runningNginx());
        }
        var ready = awaitReadyThroughNginx(request.waitTimeout());
        target.provisioned();
        return ready;
    }

    private void prepareEnvFile(
            boolean offline,
            Optional<OffsiteRepository> offsite,
            Optional<Boolean> monitoringAsked,
            Optional<Boolean> standbyAsked) {
        StackFiles files = stack.files();
        EnvFile env = EnvFile.load(files.envFile());
        boolean created = !env.exists();
        var added = env.ensureSecrets();
        if (added.contains(EnvFile.DB_SECRET) && stack.engine().volumeExists(stack.project(), Stack.DB_VOLUME)) {
            // PostgreSQL keeps the password it was created with in its volume: a new one would lock the app out.
            throw new StackctlException(
                    ExitCodes.PRECONDITION,
                    files.envFile() + " has no " + EnvFile.DB_SECRET + ", but project '" + stack.project()
                            + "' already has a database volume, created with a password this file no longer holds;"
                            + " a new random one would lock the app out of its data",
                    "put back the file from your backup; the settings of each release, this password among them, are"
                            + " kept in " + files.root().relativize(files.releasesDir()) + "/" + stack.project()
                            + "/r<ID>.env (the newest is the one running). Only for a database you mean to lose:"
                            + " bin/stackctl down --volumes");
        }
        boolean changed = !added.isEmpty();
        if (monitoringAsked.isPresent()
                && !env.get(Monitoring.SETTING).orElse("off").equals(monitoringAsked.get() ? "on" : "off")) {
            env.put(Monitoring.SETTING, monitoringAsked.get() ? "on" : "off");
            changed = true;
            say(
                    "monitoring profile %s (%s in %s)",
                    monitoringAsked.get() ? "on" : "off", Monitoring.SETTING, files.envFile());
        }
        if (standbyAsked.isPresent()
                && !env.get(Standby.SETTING).orElse("off").equals(standbyAsked.get() ? "on" : "off")) {
            env.put(Standby.SETTING, standbyAsked.get() ? "on" : "off");
            changed = true;
            say("database standby %s (%s in %s)", standbyAsked.get() ? "on" : "off", Standby.SETTING, files.envFile());
        }
        if (offline) {
            say("building air-gapped images (compose/images/build.sh)");
            var images = OfflineImages.build(stack.runner(), files, line -> say("  %s", line));
            images.forEach(env::put);
            changed = changed || !images.isEmpty();
        }
        if (changed) {
            env.save();
            say(
                    created
                            ? "created %s with random secrets (keep it private)"
                            : "updated %s" + (added.isEmpty() ? "" : " (added " + String.join(", ", added) + ")"),
                    files.envFile());
        }
        var credentials = new CredentialFiles(files);
        var written = new java.util.ArrayList<>(credentials.ensureCurrent(env));
        offsite.ifPresent(repository -> written.addAll(credentials.ensureOffsite(repository)));

        if (!written.isEmpty()) {
            say(
                    "wrote the app's credentials for the db and cache services: %s",
                    written.stream().map(name -> "compose/secrets/" + name).collect(Collectors.joining(", ")));
        }
        boolean standby = Standby.enabled(stack.environment(), env);
        boolean synchronous = Standby.synchronous(stack.environment(), env);
        if (credentials.ensureReplication(Standby.nodes(standby), synchronous)) {
            say(
                    "database nodes: %s%s (compose/secrets/db/replication)",
                    String.join(", ", Standby.nodes(standby)),
                    standby ? (synchronous ? "; each commit waits for the standby" : "; commits do not wait") : "");
        }
        if (stack.primaryRecord().ensure()) {
            say(
                    "primary record: %s (%s)",
                    Stack.DB, files.root().relativize(stack.primaryRecord().file()));
        }
        boolean monitoring = Monitoring.enabled(stack.environment(), env);
        var monitoringFiles = new MonitoringSecrets(files)
                .ensure(
                        env,
                        monitoring,
                        StackSettings.setting(AlertmanagerConfig.WEBHOOK_SETTING, "", stack.environment(), env));
        if (!monitoringFiles.isEmpty()) {
            say(
                    "%s the monitoring profile's credentials: %s",
                    monitoring ? "wrote" : "removed",
                    monitoringFiles.stream()
                            .map(name -> "compose/secrets/" + name)
                            .collect(Collectors.joining(", ")));
        }
        new AppSecretFiles(files).ensureCurrent(env);
        // The app mounts compose/keys (the token key ring `secrets rotate jwt` writes there): compose makes a missing
        // folder, but Swarm refuses every task whose bind source is missing, so a first `up --target swarm` failed.
        try {
            java.nio.file.Files.createDirectories(files.tokenKeysFile().getParent());
            // Prometheus mounts the folder the upstream agent writes its targets to: there before either starts.
            java.nio.file.Files.createDirectories(files.scrapeTargetsDir());
            // The volume exporter mounts the folder runs leave their marks in: one compose would make root's.
            java.nio.file.Files.createDirectories(files.runMarksDir());
        } catch (java.io.IOException e) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "cannot create " + files.tokenKeysFile().getParent() + ": " + e.getMessage(),
                    "check that " + files.composeDir() + " is writable by the user that runs stackctl");
        }
    }

    /** A Prometheus that was running follows the new SLO target with no restart (Monitoring.reloadPrometheus). */
    private void reloadPrometheus(SloTarget slo) {
        var refused = Monitoring.reloadPrometheus(stack);
        if (!refused.isEmpty()) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "Prometheus did not take the new SLO target (kill -HUP 1 in " + String.join("; ", refused) + ")",
                    "restart it: docker restart <its container>; it reads the target at start");
        }
        say(
                "the SLO's alerts hold %s%% availability (error budget %s, %s in compose/.env)",
                slo.availability(), slo.budget().toPlainString(), SloTarget.SETTING);
    }

    /**
     * nginx's own counts are a file it rewrites whole each second, so unlike the log (whose files edge-exporter must
     * make before nginx writes a line) they may start before edge-exporter does, which then serves them from its
     * start, with no switch from the log's way later. False, and nothing changed, when a running nginx cannot take
     * them yet (an older image without the Lua module, which provisioning replaces): the reload after it does then.
     */
    private boolean reloadedEarly(EdgeStatusLog edgeLog) {
        for (var nginx : stack.runningNginx()) {
            if (Nginx.checkAndReload(stack.engine(), nginx).isPresent()) {
                return false;
            }
        }
        edgeLog.loaded();
        return true;
    }

    /** A running nginx starts or stops counting its answers; one that refuses it runs without the include. */
    private void reloadForEdgeLog(EdgeStatusLog edgeLog, EdgeStatusLog.Source source) {
        for (var nginx : stack.runningNginx()) {
            var refused = Nginx.checkAndReload(stack.engine(), nginx);
            if (refused.isPresent()) {
                edgeLog.set(false, source);
                Nginx.checkAndReload(stack.engine(), nginx);
                edgeLog.loaded();
                throw new StackctlException(
                        ExitCodes.FAILED,
                        "nginx in " + nginx.name() + " refused the monitoring profile's edge log (" + refused.get()
                                + "); it runs without it",
                        source == EdgeStatusLog.Source.NGINX
                                ? "nginx counts its answers itself only with the Lua module, which "
                                        + stack.settings().nginxImage() + " may lack: set " + EdgeStatusLog.SETTING
                                        + "=log in compose/.env (a log line a request, counted by mtail)"
                                : "look at nginx/nginx.conf and compose/generated/monitoring/" + EdgeStatusLog.FILE
                                        + "; bin/stackctl logs nginx shows more");
            }
        }
        edgeLog.loaded();
    }

    /** compose leaves a profile's containers running once the profile is off: --no-monitoring removes them here. */
    private void removeMonitoringLeft() {
        var left = Monitoring.SERVICES.stream()
                .filter(service ->
                        !stack.engine().containers(stack.project(), service).isEmpty())
                .toList();
        if (!left.isEmpty()) {
            say("monitoring profile off: removing %s", String.join(", ", left));
            stack.compose().removeProfileServices(Monitoring.PROFILE, left);
        }
    }

    private HttpProbe.Result awaitReadyThroughNginx(Duration waitTimeout) {
        // Pause.until asks first and only then waits: the first answer costs no pause.
        HttpProbe.Result[] last = new HttpProbe.Result[1];
        boolean ready =
                Pause.until(waitTimeout, Duration.ofMillis(250), () -> (last[0] = stack.throughNginx("/ready")).ok());
        if (!ready) {
            throw new StackctlException(
                    ExitCodes.CHECK_FAILED,
                    "every container is healthy but " + stack.settings().baseUrl() + "/ready answers "
                            + last[0].summary(),
                    "check that nothing else holds that port (stackctl doctor) and see stackctl logs nginx");
        }
        return last[0];
    }

    private void say(String format, Object... args) {
        progress.printf(format + "%n", args);
        progress.flush();
    }
}
