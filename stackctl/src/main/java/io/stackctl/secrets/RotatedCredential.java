package io.stackctl.secrets;

import io.stackctl.stack.EnvFile;
import java.util.List;

/**
 * A credential the app's replicas present to a service (the database, the cache), which the service can accept in
 * two versions at once. {@link CredentialRotation} runs the steps; this says what they are for one service.
 */
interface RotatedCredential {

    /** What {@code secrets rotate} calls it, and what {@code releases} lists. */
    String secret();

    /** The compose service whose health check makes the credential files so. */
    String service();

    /** Where the service's container reads the credential files (compose/secrets/SERVICE mounted there). */
    String fileInContainer();

    /** The health check, run at once instead of waiting for its interval. */
    List<String> applyCommand();

    /** Which credential compose/.env names (a login and a fingerprint, never the secret). */
    String current(EnvFile env);

    /** The versions the files accept besides compose/.env's: a rotation that stopped before it closed them. */
    List<String> leftOpen(EnvFile env);

    /** Accepts {@code password} beside the current credential; returns its id. */
    String openBeside(EnvFile env, String password);

    /** Makes compose/.env name the credential {@link #openBeside} opened. */
    void declare(EnvFile env, String password);

    /** Accepts compose/.env's credential alone. */
    void closeOthers(EnvFile env);
}
