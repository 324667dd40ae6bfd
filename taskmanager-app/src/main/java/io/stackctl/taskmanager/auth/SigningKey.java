package io.stackctl.taskmanager.auth;

import java.time.Instant;

/**
 * One HMAC key of the token key ring, named by the id tokens carry in their {@code kid} header.
 *
 * @param retireAt when tokens signed with it stop being accepted; null while it is in use without an end
 */
public record SigningKey(String id, String secret, Instant retireAt) {

    public boolean retiredAt(Instant now) {
        return retireAt != null && !now.isBefore(retireAt);
    }

    /** Never prints the secret. */
    @Override
    public String toString() {
        return retireAt == null ? id : id + " (retires " + retireAt + ")";
    }
}
