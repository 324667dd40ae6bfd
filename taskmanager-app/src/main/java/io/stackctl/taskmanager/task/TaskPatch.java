package io.stackctl.taskmanager.task;

import java.util.Optional;

/**
 * A validated partial update. An absent field is left as it is; {@code clearDescription} distinguishes
 * an explicit {@code "description": null} (clear it) from a description that was not sent.
 */
public record TaskPatch(
        Optional<String> title, Optional<String> description, boolean clearDescription, Optional<TaskStatus> status) {

    public boolean touchesDescription() {
        return description.isPresent() || clearDescription;
    }
}
