package io.stackctl.taskmanager.cache;

/** Redis did not answer (down, slow, or the circuit breaker is open); callers fall through to PostgreSQL. */
public final class CacheUnavailableException extends RuntimeException {

    CacheUnavailableException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
