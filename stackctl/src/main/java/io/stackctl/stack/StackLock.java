package io.stackctl.stack;

import io.stackctl.core.ExitCodes;
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

    /** Takes the project's lock, writing who holds it; exit 3 naming the holder when another command has it. */
    public static StackLock acquire(Path locksDir, String project, String holder) {
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
                String current = read(channel);
                channel.close();
                throw new StackctlException(
                        ExitCodes.PRECONDITION,
                        "project '" + project + "' is locked by another stackctl command: "
                                + (current.isBlank() ? "(holder unknown)" : current),
                        "wait for it to finish (it releases the lock when it exits), or run this against another"
                                + " project with -p");
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(holder.getBytes(StandardCharsets.UTF_8)), 0);
            channel.force(false);
            return new StackLock(channel, lock);
        } catch (IOException e) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "cannot take the lock " + file + ": " + e.getMessage(),
                    "check the permissions of " + locksDir);
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

    private static String read(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        channel.read(buffer, 0);
        return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8).strip();
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
