package io.stackctl.stack;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.Pause;
import io.stackctl.core.StackctlException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * One lock per project for every command that changes the stack (up, down, scale, deploy, rollback, backup,
 * restore, drills, bench), as Kamal's deploy lock and pgBackRest's stanza lock do: a second one is refused at once
 * (exit 3) with the name of the holder, instead of interleaving with it. The kernel releases the lock when its
 * holder exits, however it exits, so a crashed command never leaves the project locked.
 */
public final class StackLock implements AutoCloseable {

    private final FileChannel channel;
    private final FileLock lock;

    private StackLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * How the stack's autoscaler names itself when it holds the lock: a command that finds it waits for it (a scaling
     * takes seconds) rather than being refused.
     */
    public static final String AUTOSCALER = "autoscaler";

    /** What a holder that lets the autoscaler act adds to its name (drill load-spike, which watches it). */
    public static final String ADMITS_AUTOSCALER = "[the autoscaler may act]";

    static final java.time.Duration AUTOSCALER_WAIT = java.time.Duration.ofMinutes(3);

    /** How long a lock whose file names no holder (being let go, or being taken) is asked for again before refusing. */
    static final java.time.Duration UNNAMED_HOLDER_WAIT = java.time.Duration.ofSeconds(1);

    /**
     * Takes the project's lock, writing who holds it; exit 3 naming the holder when another command has it. When the
     * autoscaler has it, waits up to {@link #AUTOSCALER_WAIT} for it to finish its change first.
     */
    public static StackLock acquire(Path locksDir, String project, String holder) {
        return acquire(locksDir, project, holder, UNNAMED_HOLDER_WAIT);
    }

    /** As {@link #acquire(Path, String, String)}, asking a lock that names no holder again for {@code unnamedWait}. */
    static StackLock acquire(Path locksDir, String project, String holder, java.time.Duration unnamedWait) {
        long deadline = System.nanoTime() + AUTOSCALER_WAIT.toNanos();
        long unnamedUntil = 0; // set when a holder first reads unnamed
        boolean said = false;
        while (true) {
            var taken = tryAcquire(locksDir, project, holder);
            if (taken.isPresent()) {
                return taken.get();
            }
            String current = holder(locksDir, project);
            if (current.isBlank() && unnamedUntil == 0) {
                unnamedUntil = System.nanoTime() + unnamedWait.toNanos();
            }
            if (current.isBlank() && System.nanoTime() < unnamedUntil) {
                // A holder empties the file just before it lets go: ask again rather than refuse a lock about to be
                // free.
                Pause.sleep(java.time.Duration.ofMillis(20), "interrupted while waiting for the lock", "run it again");
                continue;
            }
            if (!current.startsWith(AUTOSCALER) || System.nanoTime() > deadline) {
                throw new StackctlException(
                        ExitCodes.PRECONDITION,
                        "project '" + project + "' is locked by another stackctl command: "
                                + (current.isBlank() ? "(holder unknown)" : current),
                        "wait for it to finish (it releases the lock when it exits), or run this against another"
                                + " project with -p");
            }
            if (!said) {
                System.err.println("waiting for the stack's autoscaler to finish: " + current);
                said = true;
            }
            Pause.sleep(java.time.Duration.ofMillis(250), "interrupted while waiting for the lock", "run it again");
        }
    }

    /** Takes the project's lock if it is free, writing who holds it; nothing when someone holds it. */
    public static java.util.Optional<StackLock> tryAcquire(Path locksDir, String project, String holder) {
        Path file = locksDir.resolve(project + ".lock");
        try {
            Files.createDirectories(locksDir);
            FileChannel channel = FileChannel.open(
                    file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // this process holds it already (an in-process caller)
            }
            if (lock == null) {
                channel.close();
                return java.util.Optional.empty();
            }
            // Written over the old text, then cut to length: the file never reads empty while this holds it.
            byte[] name = holder.getBytes(StandardCharsets.UTF_8);
            channel.write(ByteBuffer.wrap(name), 0);
            channel.truncate(name.length);
            channel.force(false);
            return java.util.Optional.of(new StackLock(channel, lock));
        } catch (IOException e) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "cannot take the lock " + file + ": " + e.getMessage(),
                    "check the permissions of " + locksDir);
        }
    }

    /** What the lock's holder wrote of itself; empty when it is free or unreadable. */
    public static String holder(Path locksDir, String project) {
        try {
            Path file = locksDir.resolve(project + ".lock");
            return Files.exists(file) ? Files.readString(file).strip() : "";
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Whether a live process holds the project's lock now, judged from what the holder wrote (a process that
     * exits normally empties the file; a killed one leaves its pid, which no longer runs), without taking the lock,
     * so a read-only command never makes another command's lock fail.
     */
    public static boolean heldByLiveProcess(Path locksDir, String project) {
        try {
            Path file = locksDir.resolve(project + ".lock");
            if (!Files.exists(file)) {
                return false;
            }
            var pid = java.util.regex.Pattern.compile("^pid ([0-9]+) ").matcher(Files.readString(file));
            return pid.find()
                    && ProcessHandle.of(Long.parseLong(pid.group(1)))
                            .map(ProcessHandle::isAlive)
                            .orElse(false);
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    /** How a holder names itself: process, command line, since when, where. */
    public static String describe(String commandLine) {
        return "pid " + ProcessHandle.current().pid() + " running 'stackctl " + commandLine + "' since " + Instant.now()
                + " on " + hostName();
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "this host";
        }
    }

    @Override
    public void close() {
        try {
            channel.truncate(0); // free again: the next holder writes its name
            lock.release();
            channel.close();
        } catch (IOException e) {
            // closing the channel releases the lock anyway
        }
    }
}
