package io.stackctl.cli;

import io.stackctl.autoscale.AutoscaleSettings;
import io.stackctl.autoscale.Autoscaler;
import io.stackctl.backup.BackupSchedule;
import io.stackctl.backup.ScheduledBackups;
import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import io.stackctl.engine.Engine;
import io.stackctl.replication.FailoverWatcher;
import io.stackctl.stack.OffsiteRepository;
import io.stackctl.stack.PrimaryRecord;
import io.stackctl.upstream.UpstreamAgent;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The stack's upstream-agent service runs this; people do not (hence hidden). See {@link UpstreamAgent}. */
@Command(
        name = "agent",
        hidden = true,
        description = "Keep nginx's upstream equal to the ready replicas, on engine events, and run the backup schedule"
                + " (runs inside the stack).")
final class AgentCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @picocli.CommandLine.Mixin
    HelpOption help;

    @Option(names = "--upstream-dir", defaultValue = "/stack/generated", description = "Where upstream.conf lives.")
    Path upstreamDir;

    @Option(names = "--heartbeat", defaultValue = "/tmp/heartbeat", description = "Touched every round.")
    Path heartbeat;

    @Option(
            names = "--schedule-only",
            description = "Run the backup schedule alone (on Swarm, where Docker's DNS is nginx's upstream).")
    boolean scheduleOnly;

    /** How often the agent says it is alive when it only runs the schedule (its healthcheck allows 20 s). */
    static final Duration BEAT = Duration.ofSeconds(5);

    @Override
    public Integer call() throws InterruptedException {
        Map<String, String> environment = StackctlCommandLine.environmentOf(spec.commandLine());
        try (Engine engine = Engine.connect(environment)) {
            String project = ownProject(engine, environment);
            startBackupSchedule(engine, project, environment);
            if (scheduleOnly) {
                beatForever();
            }
            // Compose only (Swarm runs the schedule alone): the primary record is in compose/state, mounted here.
            new FailoverWatcher(engine, project, new PrimaryRecord(Path.of("/stack/state")), System.out).start();
            startAutoscaler(engine, project, environment);
            new UpstreamAgent(engine, project, upstreamDir, heartbeat, System.out).run();
        }
        return ExitCodes.OK;
    }

    /**
     * The stack's backup schedule (BACKUP_SCHEDULE_* in compose/.env) on a thread of its own. Proofs mount files of the
     * compose folder into a scratch container, by their host path: the agent finds it from its own mount of
     * compose/generated. Without it, or with a wrong expression (up refuses those first), the agent serves the
     * upstream alone and says why.
     */
    private static void startBackupSchedule(Engine engine, String project, Map<String, String> environment) {
        try {
            var schedule = BackupSchedule.parse(environment::get);
            String self = environment.getOrDefault("HOSTNAME", "");
            var hostCompose =
                    engine.mountSource(self, "/stack/generated").map(Path::of).map(Path::getParent);
            if (hostCompose.isEmpty()) {
                System.out.println("backup-schedule: off, /stack/generated is not a bind mount of compose/generated");
                return;
            }
            String bucket = environment.getOrDefault("BACKUP_S3_BUCKET", "");
            new ScheduledBackups(
                            engine,
                            project,
                            schedule,
                            hostCompose.get(),
                            Path.of("/stack/state"),
                            OffsiteRepository.network(project, !bucket.isBlank()),
                            System.out,
                            Clock.systemUTC())
                    .start();
        } catch (StackctlException e) {
            System.out.println("backup-schedule: off, " + e.getMessage() + " (" + e.hint() + ")");
        }
    }

    /**
     * The autoscaler (AUTOSCALE in compose/.env) on a thread of its own. It takes the stack's lock from compose/locks
     * and reads each replica's operator token from compose/secrets/app, both mounted here. A wrong setting (up
     * refuses those first) leaves it off, saying why.
     */
    private void startAutoscaler(Engine engine, String project, Map<String, String> environment) {
        try {
            AutoscaleSettings.parse(environment::get)
                    .ifPresentOrElse(
                            settings -> new Autoscaler(
                                            engine,
                                            project,
                                            settings,
                                            upstreamDir,
                                            Path.of("/stack/state"),
                                            Path.of("/stack/locks"),
                                            Path.of("/stack/app-secrets"),
                                            System.out,
                                            Clock.systemUTC())
                                    .start(),
                            () -> System.out.println("autoscaler: off (AUTOSCALE is not set)"));
        } catch (StackctlException e) {
            System.out.println("autoscaler: off, " + e.getMessage() + " (" + e.hint() + ")");
        }
    }

    /** The schedule runs on its own thread; this one keeps the healthcheck's file fresh until the JVM stops. */
    private void beatForever() throws InterruptedException {
        System.out.println("upstream-agent: the backup schedule alone (--schedule-only); nginx's upstream is not mine");
        while (true) {
            UpstreamAgent.beat(heartbeat, System.out::println);
            Thread.sleep(BEAT.toMillis());
        }
    }

    /** The compose project (or Swarm stack) of the container it runs in: it serves that stack and no other. */
    private static String ownProject(Engine engine, Map<String, String> environment) {
        String self = environment.getOrDefault("HOSTNAME", "");
        String project = self.isBlank() ? "" : Engine.projectOf(engine.labelsOf(self));
        if (project.isBlank()) {
            throw new StackctlException(
                    ExitCodes.PRECONDITION,
                    "the upstream agent must run as a service of a compose project (container " + self + ")",
                    "start it with the stack: bin/stackctl up");
        }
        return project;
    }
}
