package io.stackctl.upstream;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;

/**
 * Serialises every change of nginx's upstream between stackctl on the host and the upstream agent in its
 * container: both open the same file through the bind mount, and a POSIX lock holds across them because they
 * share the kernel. Held only for a render and a reload, never across a wait or a probe; so a wait for it is
 * bounded, and one that runs out names the holder, which each holder writes into the file.
 */
public final class UpstreamLock implements AutoCloseable {

    /** Far beyond a render and a reload (about a second): a holder this long is stuck. */
    public static final Duration WAIT = Duration.ofSeconds(30);

    private static final long POLL_MS = 50;
    private static final String HOST = hostName();

    private final FileChannel channel;
    private final FileLock lock;

    private UpstreamLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    public static UpstreamLock acquire(Path upstreamDir) {
        return acquire(upstreamDir, WAIT);
    }

    public static UpstreamLock acquire(Path upstreamDir, Duration wait) {
        Path file = upstreamDir.resolve(".upstream.lock");
        try {
            Files.createDirectories(upstreamDir);
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                FileLock lock = waitFor(channel, file, wait);
                channel.truncate(0);
                channel.write(ByteBuffer.wrap(holder().getBytes(StandardCharsets.UTF_8)), 0);
                return new UpstreamLock(channel, lock);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock " + file, e);
        }
    }

    private static FileLock waitFor(FileChannel channel, Path file, Duration wait) throws IOException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (java.nio.channels.OverlappingFileLockException heldHere) {
                // Another thread of this JVM holds it (the agent's autoscaler beside its rounds): wait as for a
                // process.
                lock = null;
            }
            if (lock != null) {
                return lock;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new StackctlException(
                        ExitCodes.PRECONDITION,
                        "nginx's upstream has stayed locked for " + wait.toSeconds() + " s, by " + holderOf(file),
                        "if that is another stackctl command, let it finish or stop it; if it is the upstream agent"
                                + " (host = its container's id), its watchdog restarts it within "
                                + AgentWatchdog.LIMIT.toSeconds() + " s; then run this again");
            }
            try {
                Thread.sleep(POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StackctlException(
                        ExitCodes.FAILED, "interrupted while waiting for nginx's upstream lock", "run it again");
            }
        }
    }

    private static String holderOf(Path file) {
        try {
            String text = Files.readString(file).strip();
            return text.isEmpty() ? "a process that did not say who it is" : text;
        } catch (IOException e) {
            return "a process that did not say who it is (" + e.getMessage() + ")";
        }
    }

    private static String holder() {
        return "pid " + ProcessHandle.current().pid() + " on host " + HOST + " since " + Instant.now() + ": "
                + System.getProperty("sun.java.command", "java");
    }

    /** From the file, not DNS: a lookup of the host's own name can hang where that name does not resolve. */
    private static String hostName() {
        try {
            return Files.readString(Path.of("/etc/hostname")).strip();
        } catch (IOException e) {
            return System.getenv().getOrDefault("HOSTNAME", "?");
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            // the lock goes with the channel
        }
    }
}
