package io.stackctl.taskmanager.task;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** The states a task moves through; the wire and database form is the lower-case name. */
public enum TaskStatus {
    PENDING("pending"),
    IN_PROGRESS("in_progress"),
    COMPLETED("completed");

    /** For error messages: {@code pending, in_progress, completed}. */
    public static final String ALLOWED =
            Arrays.stream(values()).map(s -> s.wire).collect(Collectors.joining(", "));

    private final String wire;

    TaskStatus(String wire) {
        this.wire = wire;
    }

    @JsonValue
    public String wire() {
        return wire;
    }

    public static Optional<TaskStatus> fromWire(String value) {
        return Arrays.stream(values()).filter(s -> s.wire.equals(value)).findFirst();
    }
}
