package io.stackctl.secrets;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.Pause;
import io.stackctl.core.StackctlException;
import io.stackctl.deploy.RollingDeploy;
import io.stackctl.engine.Engine;
import io.stackctl.stack.EnvFile;
import io.stackctl.stack.Stack;
import io.stackctl.targets.Outcome;
import io.stackctl.targets.Target;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Rotates a credential of the app's replicas with no request refused, as pgBouncer's and RDS' "alternating users"
 * do: the service accepts a new credential beside the old one; compose/.env names the new one and the replicas roll
 * onto it as a deploy rolls them (start-first, gated, rolled back on its own); then the service accepts the new one
 * alone. Neither the database nor the cache restarts: their health checks read the credentials from files.
 *
 * <p>Safe to stop at any point. Before compose/.env changes, the extra credential is unused and the next rotation
 * (or this one's failure) closes it; after, the replicas on either credential work, and the next rotation first
 * rolls every replica onto compose/.env's, then closes the other. A rollback runs today's compose/.env credential,
 * so it never brings back a closed one.
 */
public final class CredentialRotation {

    static final Duration APPLY_WITHIN = Duration.ofSeconds(30);

    private final Stack stack;
    private final Target target;
    private final RotatedCredential credential;
    private final PrintWriter progress;

    CredentialRotation(Stack stack, Target target, RotatedCredential credential, PrintWriter progress) {
        this.stack = stack;
        this.target = target;
        this.credential = credential;
        this.progress = progress;
    }

    /** The app's database login: the replicas move to the other of its two logins, with a new password. */
    public static CredentialRotation database(Stack stack, Target target, PrintWriter progress) {
        return new CredentialRotation(stack, target, new DatabaseLogins(stack), progress);
    }

    /** The app's Redis password: its ACL user has two while the replicas move from one to the other. */
    public static CredentialRotation cache(Stack stack, Target target, PrintWriter progress) {
        return new CredentialRotation(stack, target, new CachePasswords(stack), progress);
    }

    public Outcome rotate(RollingDeploy.Options options) {
        if (stack.swarm()) {
            throw new StackctlException(
                    ExitCodes.PRECONDITION,
                    "rotating the " + credential.secret() + " credential is built for compose stacks; on Swarm it is a"
                            + " Docker secret that db, cache and every replica read once at their start",
                    "on Swarm, plan a window: change the password in compose/.env and run bin/stackctl up");
        }
        stack.requireRunning();
        requireCredentialFiles();
        long start = System.nanoTime();
        EnvFile env = EnvFile.load(stack.files().envFile());
        finishLeftOpen(env, options);

        String from = credential.current(env);
        String password = EnvFile.randomSecret(24);
        var rotations = new Rotations(stack.files().releasesDir(), stack.project());
        String to = credential.openBeside(env, password);
        var record = new Rotation(
                Instant.now(), credential.secret(), from, to, Instant.now(), Rotation.Status.rotating, 0, "");
        rotations.add(record);
        try {
            apply();
        } catch (StackctlException e) {
            credential.closeOthers(env);
            rotations.finish(record.ended(Rotation.Status.failed, elapsed(start), e.getMessage() + "; undone"));
            throw e;
        }
        say("%s: %s is accepted beside %s; rolling the replicas onto it", credential.secret(), to, from);

        credential.declare(env, password);
        env.save();
        Outcome outcome;
        try {
            outcome = target.deploy(options);
        } catch (StackctlException e) {
            rotations.finish(record.ended(
                    Rotation.Status.failed,
                    elapsed(start),
                    e.getMessage() + "; both credentials stay accepted until the rotation runs again"));
            throw new StackctlException(
                    e.exitCode(),
                    e.getMessage() + "; " + from + " and " + to + " both stay accepted, so the replicas work on either",
                    "fix what the deploy reported, then run bin/stackctl secrets rotate " + credential.secret()
                            + " again: it first rolls every replica onto " + to + ", then closes " + from,
                    e);
        }
        credential.closeOthers(env);
        apply();
        say("%s: %s is no longer accepted", credential.secret(), from);
        rotations.finish(record.ended(Rotation.Status.done, elapsed(start), outcome.summary()));
        return outcome;
    }

    /** A rotation stopped after compose/.env changed: every replica onto compose/.env's credential, the rest closed. */
    private void finishLeftOpen(EnvFile env, RollingDeploy.Options options) {
        List<String> leftOpen = credential.leftOpen(env);
        if (leftOpen.isEmpty()) {
            return;
        }
        say(
                "%s: finishing the rotation that stopped before it closed %s: the replicas roll onto %s first",
                credential.secret(), String.join(", ", leftOpen), credential.current(env));
        target.deploy(options);
        credential.closeOthers(env);
        apply();
    }

    /** A container created before the credential files reads its credential from its environment, fixed for life. */
    private void requireCredentialFiles() {
        var container = stack.requireService(credential.service());
        var found =
                stack.engine().exec(container.id(), Duration.ofSeconds(10), "test", "-s", credential.fileInContainer());
        if (found.exitCode() != 0) {
            throw new StackctlException(
                    ExitCodes.PRECONDITION,
                    "the " + credential.service() + " container has no " + credential.fileInContainer()
                            + ": it was created before credentials were files, and takes its password from its"
                            + " environment for as long as it runs",
                    "run bin/stackctl up (it writes compose/secrets and converges the " + credential.service()
                            + " service), then rotate");
        }
    }

    /** Runs the service's health check now, until it passes: the service accepts what the files say. */
    private void apply() {
        var container = stack.requireService(credential.service());
        Engine.ExecResult[] last = {null};
        boolean applied = Pause.until(APPLY_WITHIN, Duration.ofMillis(500), () -> {
            last[0] = stack.engine()
                    .exec(
                            container.id(),
                            Duration.ofSeconds(15),
                            credential.applyCommand().toArray(String[]::new));
            return last[0].exitCode() == 0;
        });
        if (!applied) {
            String output = last[0] == null ? "" : last[0].output().strip();
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "the " + credential.service() + " service did not take the new " + credential.secret()
                            + " credential within " + APPLY_WITHIN.toSeconds() + " s ("
                            + String.join(" ", credential.applyCommand()) + " exited " + last[0].exitCode()
                            + (output.isEmpty() ? "" : ": " + output) + ")",
                    "check it with bin/stackctl health and bin/stackctl logs " + credential.service()
                            + "; a container from before credential files needs bin/stackctl up first");
        }
    }

    private void say(String format, Object... args) {
        progress.printf(format + "%n", args);
        progress.flush();
    }

    private static long elapsed(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }
}
