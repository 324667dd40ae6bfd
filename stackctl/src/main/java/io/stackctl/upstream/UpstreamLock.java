package io.stackctl.upstream;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Serialises every change of nginx's upstream between stackctl on the host and the upstream agent in its
 * container: both open the same file through the bind mount, and a POSIX lock holds across them because they
 * share the kernel. Held only for a render and a reload, never across a wait.
 */
public final class UpstreamLock implements AutoCloseable {

    private final FileChannel channel;
    private final FileLock lock;

    private UpstreamLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    public static UpstreamLock acquire(Path upstreamDir) {
        try {
            Files.createDirectories(upstreamDir);
            FileChannel channel = FileChannel.open(
                    upstreamDir.resolve(".upstream.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                return new UpstreamLock(channel, channel.lock());
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock " + upstreamDir.resolve(".upstream.lock"), e);
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
