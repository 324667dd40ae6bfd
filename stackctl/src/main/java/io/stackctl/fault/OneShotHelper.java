package io.stackctl.fault;

import io.stackctl.engine.Engine;
import java.time.Duration;
import java.util.Optional;

/** A fault helper that does one thing and exits (a clear after a helper was killed before its own undo ran). */
final class OneShotHelper {

    /** Its exit code (empty: still running at the bound) and the end of what it printed. */
    record Finished(Optional<Long> exit, String log) {
        boolean clean() {
            return exit.isPresent() && exit.get() == 0;
        }
    }

    private OneShotHelper() {}

    /** Starts it, waits at most {@code within} for its exit, removes it. Its labels must find it alone. */
    static Finished run(Engine engine, Engine.HelperSpec spec, Duration within) {
        String id = engine.startBeside(spec);
        long deadline = System.nanoTime() + within.toNanos();
        Optional<Long> exit = Optional.empty();
        while (System.nanoTime() < deadline && exit.isEmpty()) {
            pause(Duration.ofMillis(100));
            exit = engine.helpers(spec.labels()).stream()
                    .filter(h -> h.id().equals(id) && !h.running())
                    .findFirst()
                    .flatMap(Engine.Helper::exitCode);
        }
        String log = engine.logTail(id, 20);
        engine.remove(id);
        return new Finished(exit, lastLines(log));
    }

    /** A helper's log on one line, for an error message. */
    static String lastLines(String log) {
        String text = log.strip();
        return text.isEmpty() ? "it printed nothing" : text.replace('\n', ' ');
    }

    static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while a fault helper ran", e);
        }
    }
}
