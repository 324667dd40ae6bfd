package io.stackctl.stack;

import io.stackctl.core.AtomicFiles;
import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Which db node is the primary: compose/state/db/primary, one node name, read by every db node at each start and
 * health check (compose/db/replication.sh) and by stackctl to find the node to back up, restore and drill. Only a
 * failover writes it, and before the promotion: a node the record does not name never starts as a primary, and one
 * running as a primary stops itself, so two primaries never take writes. Without the file the founding node, db, is.
 */
public final class PrimaryRecord {

    private final Path file;

    public PrimaryRecord(StackFiles files) {
        this(files.stateDir());
    }

    /** @param stateDir compose/state, or where a container mounts it (the upstream agent: /stack/state) */
    public PrimaryRecord(Path stateDir) {
        this.file = stateDir.resolve("db").resolve("primary");
    }

    public Path file() {
        return file;
    }

    /** The node the record names; db while there is no record. */
    public String primary() {
        return recorded().orElse(Stack.DB);
    }

    /** What the file says, when there is one. */
    public Optional<String> recorded() {
        try {
            if (!Files.isRegularFile(file)) {
                return Optional.empty();
            }
            return Optional.of(Files.readString(file).strip()).filter(name -> !name.isEmpty());
        } catch (IOException e) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "cannot read the primary record " + file + ": " + e.getMessage(),
                    "check that " + file.getParent() + " is readable by the user that runs stackctl");
        }
    }

    /** Names {@code node} the primary: whole or not at all, flushed, readable by the db containers' root. */
    public void write(String node) {
        if (!Standby.NODES.contains(node)) {
            throw new IllegalArgumentException("not a db node: " + node);
        }
        try {
            AtomicFiles.writeString(file, node + "\n", AtomicFiles.permissions("rw-r--r--"));
        } catch (IOException e) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "cannot write the primary record " + file + ": " + e.getMessage(),
                    "check that " + file.getParent() + " is writable by the user that runs stackctl");
        }
    }

    /** Deletes the record, once the nodes' volumes are gone. */
    public void forget() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "cannot delete the primary record " + file + ": " + e.getMessage(),
                    "delete it by hand: the database volumes it named are gone");
        }
    }

    /** Writes the record for a stack that has none (the founding node), so that no node ever guesses. */
    public boolean ensure() {
        if (recorded().isPresent()) {
            return false;
        }
        write(Stack.DB);
        return true;
    }
}
