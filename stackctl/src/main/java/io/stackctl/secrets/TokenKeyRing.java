package io.stackctl.secrets;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.stackctl.core.ExitCodes;
import io.stackctl.core.Json;
import io.stackctl.core.StackctlException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The app's token key ring as its file holds it ({@code compose/keys/jwt-keys.json}, read by every replica each
 * second): one key signs, the others only check the tokens that name them until their {@code retire_at}. The app's
 * {@code KeyRing} reads the same format.
 */
public record TokenKeyRing(List<Key> keys) {

    /** The id of the key JWT_SECRET holds; tokens from before key ids name it implicitly. */
    public static final String FROM_ENVIRONMENT = "env";

    private static final DateTimeFormatter ID_TIME =
            DateTimeFormatter.ofPattern("'k'yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    public TokenKeyRing {
        keys = List.copyOf(keys);
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Key(
            String id,
            String secret,
            String use,
            @JsonProperty("retire_at") Instant retireAt) {

        static final String SIGN = "sign";
        static final String VERIFY = "verify";

        boolean signs() {
            return use.equals(SIGN);
        }

        /** Never prints the secret. */
        @Override
        public String toString() {
            return id + " (" + use + (retireAt == null ? "" : ", retires " + retireAt) + ")";
        }
    }

    /** The ring a stack has before its first rotation: JWT_SECRET's one key. */
    public static TokenKeyRing ofEnvironment(String secret) {
        return new TokenKeyRing(List.of(new Key(FROM_ENVIRONMENT, secret, Key.SIGN, null)));
    }

    /** The ring in {@code file}, if the file exists. */
    public static Optional<TokenKeyRing> read(Path file) {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            var ring = Json.MAPPER.readValue(file.toFile(), TokenKeyRing.class);
            ring.signing();
            return Optional.of(ring);
        } catch (IOException | RuntimeException e) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "cannot read the token key ring " + file + ": " + e.getMessage(),
                    "the replicas keep the ring they loaded last; restore the file from a backup of compose/, or"
                            + " move it away to fall back to JWT_SECRET (tokens signed with a rotated key then end)");
        }
    }

    public Key signing() {
        return keys.stream()
                .filter(Key::signs)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no key signs"));
    }

    /** A new key, named by the time it was made, that checks tokens but signs none yet. */
    public static Key newKey(Instant now, SecureRandom random) {
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        return new Key(ID_TIME.format(now), HexFormat.of().formatHex(secret), Key.VERIFY, null);
    }

    /** Step 1 of a rotation: every replica learns {@code next} while the current key still signs. */
    public TokenKeyRing learning(Key next, Instant now) {
        List<Key> kept = new ArrayList<>(withoutRetired(now).keys);
        // A key that checks with no end never signed: an interrupted rotation's candidate, which no token names.
        kept.removeIf(key -> key.id().equals(next.id()) || (!key.signs() && key.retireAt() == null));
        kept.add(new Key(next.id(), next.secret(), Key.VERIFY, null));
        return new TokenKeyRing(kept);
    }

    /**
     * Step 2: {@code next} signs, and the key that signed until now checks its tokens until {@code retireAt} (when
     * the last token it signed has expired).
     */
    public TokenKeyRing signingWith(String nextId, Instant retireAt) {
        return new TokenKeyRing(keys.stream()
                .map(key -> key.id().equals(nextId)
                        ? new Key(key.id(), key.secret(), Key.SIGN, null)
                        : key.signs() ? new Key(key.id(), key.secret(), Key.VERIFY, retireAt) : key)
                .toList());
    }

    /** Without the keys whose tokens have all expired: they check nothing any more. */
    public TokenKeyRing withoutRetired(Instant now) {
        return new TokenKeyRing(keys.stream()
                .filter(key -> key.retireAt() == null || now.isBefore(key.retireAt()))
                .toList());
    }

    public String toJson() {
        try {
            return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(this) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
