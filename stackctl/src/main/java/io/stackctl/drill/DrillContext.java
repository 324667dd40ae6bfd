package io.stackctl.drill;

import io.stackctl.engine.ServiceContainer;
import io.stackctl.stack.Stack;
import io.stackctl.targets.Target;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** What a drill works with: the stack where it runs, the running load, its options, and bounded waiting. */
public record DrillContext(Target target, LoadGenerator load, int rate, Duration duration, PrintWriter progress) {

    public Stack stack() {
        return target.stack();
    }

    public void say(String format, Object... args) {
        progress.printf("  " + format + "%n", args);
        progress.flush();
    }

    /** Polls every 200 ms until {@code condition} holds or {@code bound} passes; true when it held. */
    public static boolean await(Duration bound, BooleanSupplier condition) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            pause(Duration.ofMillis(200));
        }
        return condition.getAsBoolean();
    }

    /** Starts a stopped single-instance service again and waits until {@code ready} (at most a minute). */
    public void ensureRunning(String service, String containerId, BooleanSupplier ready) {
        var stack = stack();
        boolean running =
                stack.engine().containers(stack.project(), service).stream().anyMatch(ServiceContainer::running);
        if (!running) {
            stack.engine().start(containerId);
        }
        await(Duration.ofSeconds(60), ready);
    }

    public static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("drill interrupted", e);
        }
    }
}
