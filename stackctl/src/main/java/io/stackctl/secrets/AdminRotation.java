package io.stackctl.secrets;

import io.stackctl.core.Sha256;
import io.stackctl.core.StackctlException;
import io.stackctl.deploy.RollingDeploy;
import io.stackctl.stack.EnvFile;
import io.stackctl.stack.Stack;
import io.stackctl.targets.Outcome;
import io.stackctl.targets.Target;
import java.time.Instant;

/**
 * A new admin password: written to compose/.env, then the replicas roll onto it as a deploy rolls them (start-first,
 * gated, rolled back on its own). The first new replica sets it in the database at its start, and from then on
 * every token issued under the old password is refused by every replica (tokens carry the password's fingerprint).
 * stackctl itself acts with OPS_TOKEN, so the rotation never locks it out.
 *
 * <p>Stopped at any point, compose/.env already holds the new password and the deploy is found and finished by the
 * next command, as any interrupted deploy is.
 */
public final class AdminRotation {

    private final Stack stack;
    private final Target target;

    public AdminRotation(Stack stack, Target target) {
        this.stack = stack;
        this.target = target;
    }

    public Outcome rotate(RollingDeploy.Options options) {
        long start = System.nanoTime();
        EnvFile env = EnvFile.load(stack.files().envFile());
        String from = fingerprint(env.get(EnvFile.ADMIN_SECRET).orElse(""));
        String next = EnvFile.randomSecret(24);
        var rotations = new Rotations(stack.files().releasesDir(), stack.project());
        var record = new Rotation(
                Instant.now(), "admin", from, fingerprint(next), Instant.now(), Rotation.Status.rotating, 0, "");
        rotations.add(record);
        env.put(EnvFile.ADMIN_SECRET, next);
        env.save();
        Outcome outcome;
        try {
            outcome = target.deploy(options);
        } catch (StackctlException e) {
            rotations.finish(record.ended(Rotation.Status.failed, elapsed(start), e.getMessage()));
            throw e;
        }
        rotations.finish(record.ended(Rotation.Status.done, elapsed(start), outcome.summary()));
        return outcome;
    }

    /** Says which password without saying it: 8 hex digits of its SHA-256. */
    static String fingerprint(String password) {
        return password.isEmpty()
                ? "-"
                : "sha256:"
                        + Sha256.of(password.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                                .substring(0, 8);
    }

    private static long elapsed(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }
}
