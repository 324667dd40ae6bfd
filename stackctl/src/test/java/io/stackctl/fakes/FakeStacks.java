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
        try {
            Files.createDirectories(root.resolve("compose"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Stack(
                engine.project(),
                new StackFiles(root),
                engine,
                new RecordingCompose(engine),
                new ProcessRunner(Map.of(), root),
                Map.of(),
                engine::ready);
    }
}
