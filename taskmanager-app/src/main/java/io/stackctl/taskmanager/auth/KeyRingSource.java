package io.stackctl.taskmanager.auth;

import static net.logstash.logback.argument.StructuredArguments.kv;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key ring in force: JWT_SECRET's one key, or the ring in JWT_KEYS_FILE once that file exists, read again every
 * second so a rotation reaches a running replica without a restart. The file is polled, not watched: a bind mount
 * does not pass inotify events on every engine, and reading a few hundred bytes a second costs nothing.
 *
 * <p>A file that cannot be read or makes no sense at start stops the replica (its message says why); one that turns
 * bad later is logged and the last good ring stays, so a slip in the file never logs everyone out.
 */
public final class KeyRingSource implements Supplier<KeyRing>, AutoCloseable {

    static final Duration POLL = Duration.ofSeconds(1);
    private static final Logger log = LoggerFactory.getLogger(KeyRingSource.class);

    private final Path file;
    private final KeyRing fallback;
    private final ObjectMapper json = new ObjectMapper();
    private final Clock clock;
    private volatile KeyRing ring;
    private String lastText;
    private String lastRefused;
    private String lastProblem;
    private ScheduledExecutorService poller;

    private KeyRingSource(Path file, KeyRing fallback, Clock clock) {
        this.file = file;
        this.fallback = fallback;
        this.clock = clock;
        this.ring = fallback;
    }

    /** JWT_SECRET's key, for ever. */
    public static KeyRingSource fixed(String secret) {
        return new KeyRingSource(null, KeyRing.of(secret), Clock.systemUTC());
    }

    /**
     * The ring in {@code file} when it exists, else JWT_SECRET's key; polled until {@link #close()}.
     *
     * @throws IllegalArgumentException when the file exists and cannot be used
     */
    public static KeyRingSource watching(Path file, String secret) {
        var source = new KeyRingSource(file, KeyRing.of(secret), Clock.systemUTC());
        source.reload(true);
        source.poller = Executors.newSingleThreadScheduledExecutor(runnable -> {
            var thread = new Thread(runnable, "jwt-keys");
            thread.setDaemon(true);
            return thread;
        });
        source.poller.scheduleWithFixedDelay(
                () -> source.reload(false), POLL.toMillis(), POLL.toMillis(), TimeUnit.MILLISECONDS);
        return source;
    }

    @Override
    public KeyRing get() {
        return ring;
    }

    /** Reads the file again if it changed; {@code strict}: a bad file throws instead of being logged. */
    void reload(boolean strict) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            text = null;
        } catch (IOException | RuntimeException e) {
            refuse("JWT_KEYS_FILE " + file + " cannot be read (" + e.getMessage() + ")", strict);
            return;
        }
        if (text != null && !text.equals(lastRefused)) {
            lastProblem = null;
        }
        if (Objects.equals(text, lastText) || (text != null && text.equals(lastRefused))) {
            return;
        }
        KeyRing next;
        try {
            next = text == null ? fallback : KeyRing.parse(text, json);
        } catch (IllegalArgumentException e) {
            lastRefused = text;
            refuse("JWT_KEYS_FILE " + file + " is not a usable key ring: " + e.getMessage(), strict);
            return;
        }
        lastText = text;
        ring = next;
        log.info(
                "token keys loaded",
                kv("source", text == null ? "JWT_SECRET" : file.toString()),
                kv("signing", next.signing().id()),
                kv("accepted", next.accepted(clock.instant())));
    }

    private void refuse(String message, boolean strict) {
        if (strict) {
            throw new IllegalArgumentException(message);
        }
        // Once per distinct problem, not once a second while it lasts.
        if (!message.equals(lastProblem)) {
            lastProblem = message;
            log.warn("{}; the keys loaded before stay in force", message);
        }
    }

    @Override
    public void close() {
        if (poller != null) {
            poller.shutdownNow();
        }
    }
}
