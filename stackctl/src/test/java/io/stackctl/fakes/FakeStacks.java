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

    public static Stack open(Path root, RecordingEngine engine) {
        return open(root, engine, Map.of());
    }

    /** @param environment the shell's variables, which win over compose/.env (AUTH_MODE, STACK_HTTP_PORT...) */
    public static Stack open(Path root, RecordingEngine engine, Map<String, String> environment) {
        try {
            Files.createDirectories(root.resolve("compose"));
            Files.writeString(root.resolve("compose/compose.yaml"), "services: {}\n");
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
