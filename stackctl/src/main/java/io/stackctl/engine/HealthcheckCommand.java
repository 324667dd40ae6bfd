package io.stackctl.engine;

import java.util.List;

/** A healthcheck's test as the engine stores it ({@code ["CMD", ...]}, {@code ["CMD-SHELL", "..."]}) made an exec. */
final class HealthcheckCommand {

    private HealthcheckCommand() {}

    /** The argv an exec runs; empty for none, {@code ["NONE"]}, or a test the engine would not run either. */
    static List<String> of(List<String> test) {
        if (test == null || test.size() < 2) {
            return List.of();
        }
        return switch (test.get(0)) {
            case "CMD" -> List.copyOf(test.subList(1, test.size()));
            case "CMD-SHELL" -> List.of("/bin/sh", "-c", test.get(1));
            default -> List.of();
        };
    }
}
