package io.stackctl.fakes;

import io.stackctl.process.ProcessRunner;
import io.stackctl.stack.Stack;
import io.stackctl.stack.StackFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** A stack whose engine and compose are the recording fakes, with its files under a test's folder. */
public final class FakeStacks {

    private FakeStacks() {}

    /** compose/.env's secrets that the app's replicas need, long enough for the checks of a real {@code up}. */
    public static final String APP_SECRETS = "APP_DB_PASSWORD=fake-app-db-password-0001\n"
            + "REDIS_PASSWORD=fake-redis-password-0002\n"
            + "JWT_SECRET=fake-jwt-secret-fake-jwt-secret-0003\n"
            + "ADMIN_PASSWORD=fake-admin-password-0004\n"
            + "OPS_TOKEN=fake-ops-token-fake-ops-token-0005\n";

    public static Stack open(Path root, RecordingEngine engine) {
        return open(root, engine, Map.of());
    }

    /** @param environment the shell's variables, which win over compose/.env (AUTH_MODE, STACK_HTTP_PORT...) */
    public static Stack open(Path root, RecordingEngine engine, Map<String, String> environment) {
        try {
            Files.createDirectories(root.resolve("compose"));
            Files.writeString(root.resolve("compose/compose.yaml"), "services: {}\n");
            Path env = root.resolve("compose/.env");
            if (!Files.exists(env)) {
                // As `up` leaves it: the app's secrets, which a deploy or a scale writes out as the replicas' files.
                Files.writeString(env, APP_SECRETS);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Stack(
                engine.project(),
                new StackFiles(root),
                engine,
                new RecordingCompose(engine),
                new ProcessRunner(Map.of(), root),
                environment,
                engine::ready);
    }
}
