package io.stackctl.fault;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import io.stackctl.engine.Engine;
import io.stackctl.engine.ServiceContainer;
import io.stackctl.stack.DbVolume;
import io.stackctl.stack.Stack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A full disk under one of a container's volumes: a helper started with the target's volumes (the fault helper image,
 * compose/images/netfault/diskfill.sh) fills the filesystem mounted at a folder with one file until nothing is left,
 * holds it, and removes it on SIGTERM or after its time to live. It refuses a folder of the host's own disk, which it
 * would fill for every service of the host. Labelled like the network faults' helpers: {@link #sweep} (the next
 * command's, and health's) removes what a killed run left, and the db's own start removes a fill past its time.
 */
public final class DiskFill {

    static final String ROLE = "diskfill";
    static final String DIR_LABEL = "io.stackctl.fault.dir";
    /** The helper's exit when the folder is not a filesystem of its own. */
    static final long NOT_ITS_OWN_FILESYSTEM = 3;

    private static final Duration APPLY_WITHIN = Duration.ofSeconds(30);
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    /** A disk held full; {@link #heal()} frees it. */
    public final class Fill {
        private final String helperId;
        private final ServiceContainer target;
        private final String dir;
        private final String applied;
        private String lastWords;

        private Fill(String helperId, ServiceContainer target, String dir, String applied) {
            this.helperId = helperId;
            this.target = target;
            this.dir = dir;
            this.applied = applied;
        }

        /** The helper's own words once the disk was full: the device, its filesystem, what the fill took. */
        public String applied() {
            return applied;
        }

        /** Stops the helper (its trap removes the fill); removes the fill itself if the helper could not. */
        public synchronized String heal() {
            if (lastWords == null) {
                lastWords = removeHelper(helperId, target.id(), dir);
            }
            return lastWords;
        }
    }

    private final Stack stack;
    private final Engine engine;

    public DiskFill(Stack stack) {
        this.stack = stack;
        this.engine = stack.engine();
    }

    /**
     * Fills the filesystem {@code target} has mounted at {@code dir} for at most {@code ttl}; returns once nothing is
     * left on it. Exit 3 when {@code dir} is a folder of the host's disk. The helper image is {@link
     * NetworkFaults#ensureImage}'s.
     */
    public Fill fill(ServiceContainer target, String dir, Duration ttl) {
        var labels = Map.of(
                NetworkFaults.ROLE_LABEL,
                ROLE,
                NetworkFaults.PROJECT_LABEL,
                stack.project(),
                NetworkFaults.TARGET_LABEL,
                target.id(),
                NetworkFaults.TARGET_NAME_LABEL,
                target.name(),
                NetworkFaults.WHAT_LABEL,
                "a full disk under " + target.name() + ":" + dir,
                DIR_LABEL,
                dir);
        String id = engine.startBeside(new Engine.HelperSpec(
                target.id(),
                false,
                NetworkFaults.IMAGE,
                "stackctl-diskfill-" + target.name(),
                labels,
                Map.of(),
                List.of(),
                List.of("disk", "hold", Long.toString(Math.max(1, ttl.toSeconds())), dir),
                true));
        long deadline = System.nanoTime() + APPLY_WITHIN.toNanos();
        while (true) {
            String log = engine.logTail(id, 20);
            for (String line : log.split("\n")) {
                if (line.startsWith("applied: ")) {
                    return new Fill(id, target, dir, line.substring("applied: ".length()));
                }
            }
            Optional<Engine.Helper> helper = helper(id);
            boolean running = helper.map(Engine.Helper::running).orElse(false);
            if (!running || System.nanoTime() > deadline) {
                long exit = helper.flatMap(Engine.Helper::exitCode).orElse(-1L);
                removeHelper(id, target.id(), dir);
                if (exit == NOT_ITS_OWN_FILESYSTEM) {
                    throw new StackctlException(
                            ExitCodes.PRECONDITION,
                            "refusing to fill " + target.name() + "'s " + dir + ": " + OneShotHelper.lastLines(log),
                            "give the database a filesystem of its own: " + DbVolume.DEVICE + "=/dev/... in"
                                    + " compose/.env (a disk, an LVM volume or a loop device; docs/drills.md, \"A full"
                                    + " disk\"), then bin/stackctl down and up");
                }
                throw new StackctlException(
                        ExitCodes.FAILED,
                        "the disk-fill helper could not fill " + target.name() + "'s " + dir + ": "
                                + OneShotHelper.lastLines(log),
                        "see a run by hand: docker run --rm --volumes-from " + target.name() + " " + NetworkFaults.IMAGE
                                + " disk hold 5 " + dir);
            }
            OneShotHelper.pause(Duration.ofMillis(100));
        }
    }

    /** Removes every disk-fill helper of this project and the fill of any that did not remove its own. */
    public List<String> sweep() {
        List<String> found = new ArrayList<>();
        for (var helper : helpers()) {
            String what = helper.labels().getOrDefault(NetworkFaults.WHAT_LABEL, "a full disk");
            found.add((helper.running() ? "a fault still in place, removed: " : "a fault helper left behind, removed: ")
                    + what);
            removeHelper(
                    helper.id(),
                    helper.labels().get(NetworkFaults.TARGET_LABEL),
                    helper.labels().getOrDefault(DIR_LABEL, ""));
        }
        return found;
    }

    /** Stops and removes a helper; returns the end of what it printed. */
    private String removeHelper(String helperId, String targetId, String dir) {
        var before = helper(helperId);
        if (before.isPresent()
                && (before.get().running() || before.get().exitCode().isEmpty())) {
            try {
                engine.stop(helperId, STOP_GRACE);
            } catch (RuntimeException gone) {
                // removed meanwhile
            }
        }
        var after = helper(helperId);
        boolean freed =
                after.flatMap(Engine.Helper::exitCode).map(code -> code == 0).orElse(false);
        String log = after.isPresent() ? engine.logTail(helperId, 20) : "";
        engine.remove(helperId);
        if (!freed && targetId != null && !dir.isEmpty()) {
            clear(targetId, dir);
        }
        return log.strip();
    }

    /** Removes a fill whose helper was killed before its trap ran, from a helper with the same volumes. */
    private void clear(String targetId, String dir) {
        boolean targetExists = stack.containers().stream().anyMatch(c -> c.id().equals(targetId));
        if (!targetExists) {
            return; // its volume outlives it; the db's start removes the fill once past its time
        }
        String name = "stackctl-diskfill-clear-" + targetId.substring(0, Math.min(12, targetId.length()));
        var finished = OneShotHelper.run(
                engine,
                new Engine.HelperSpec(
                        targetId,
                        false,
                        NetworkFaults.IMAGE,
                        name,
                        Map.of(NetworkFaults.PROJECT_LABEL + ".clear", stack.project()),
                        Map.of(),
                        List.of(),
                        List.of("disk", "clear", dir),
                        true),
                APPLY_WITHIN);
        if (!finished.clean()) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "could not remove a disk-full drill's fill from container " + targetId + "'s " + dir + ": "
                            + finished.log(),
                    "remove it by hand: docker exec " + targetId + " sh -c 'rm -f " + dir + "/.stackctl-disk-full.*'");
        }
    }

    private List<Engine.Helper> helpers() {
        return engine.helpers(Map.of(NetworkFaults.ROLE_LABEL, ROLE, NetworkFaults.PROJECT_LABEL, stack.project()));
    }

    private Optional<Engine.Helper> helper(String id) {
        return helpers().stream().filter(h -> h.id().equals(id)).findFirst();
    }
}
