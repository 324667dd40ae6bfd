package io.stackctl.taskmanager.auth;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;

/**
 * Argon2id with OWASP's minimum parameters (19 MiB of memory, 2 passes, 1 lane), from Spring Security's encoder
 * over Bouncy Castle. Each hash holds 19 MiB and a core for tens of milliseconds, so only as many run at once as
 * there are cores: a burst of logins waits in line instead of exhausting the heap. The line is short
 * ({@link #WAITING_PER_SLOT} a slot): a flood of logins beyond it is answered 503 at once, so it never holds the
 * request threads that {@code /ready} and the API need.
 */
public final class PasswordHasher {

    static final int MEMORY_KIB = 19 * 1024;
    static final int ITERATIONS = 2;
    static final long WAIT_SECONDS = 5;
    static final int WAITING_PER_SLOT = 4;

    private final Argon2PasswordEncoder encoder = new Argon2PasswordEncoder(16, 32, 1, MEMORY_KIB, ITERATIONS);
    private final int slotCount = Math.max(1, Runtime.getRuntime().availableProcessors());
    private final Semaphore slots = new Semaphore(slotCount, true);
    /** Checks running or waiting for a slot. */
    private final AtomicInteger admitted = new AtomicInteger();
    /** Checked against when the user does not exist, so a wrong username costs as long as a wrong password. */
    private final String decoy = encoder.encode("decoy password, never a real one");

    public String hash(String password) {
        return guarded(() -> encoder.encode(password));
    }

    /** False for a hash that is not an Argon2 hash at all, such as the default owner's "!". */
    public boolean matches(String password, String hash) {
        return guarded(() -> hash.startsWith("$argon2") && encoder.matches(password, hash));
    }

    /** The same work as a real check, for a username that does not exist; always false. */
    public boolean matchesNobody(String password) {
        guarded(() -> encoder.matches(password, decoy));
        return false;
    }

    private <T> T guarded(java.util.function.Supplier<T> work) {
        if (admitted.incrementAndGet() > slotCount * (1 + WAITING_PER_SLOT)) {
            admitted.decrementAndGet();
            throw new Busy();
        }
        try {
            try {
                if (!slots.tryAcquire(WAIT_SECONDS, TimeUnit.SECONDS)) {
                    throw new Busy();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Busy();
            }
            try {
                return work.get();
            } finally {
                slots.release();
            }
        } finally {
            admitted.decrementAndGet();
        }
    }

    /** The line for a hashing slot is full, or stayed so for {@link #WAIT_SECONDS}: the caller should answer 503. */
    public static final class Busy extends RuntimeException {
        Busy() {
            super("too many password checks at once", null, false, false);
        }
    }
}
