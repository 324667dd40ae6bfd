package io.stackctl.engine;

/**
 * One lifecycle event of a container, as the engine reports it: the action ({@code die}, {@code start}, ...), and
 * which container, by id, name and compose service (empty when it has no service label).
 */
public record ContainerEvent(String action, String containerId, String name, String service) {

    /** The container's process ended (crashed, killed, stopped): whatever nginx sends it now meets nothing. */
    public boolean died() {
        return "die".equals(action);
    }
}
