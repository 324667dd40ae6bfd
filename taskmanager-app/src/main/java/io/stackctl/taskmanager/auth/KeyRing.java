package io.stackctl.taskmanager.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The keys tokens are signed and checked with: one signs new tokens, every key not yet retired checks the tokens
 * that name it. Rotation without a gap rests on this: replicas first learn a new key while still signing with the old
 * one, then sign with the new one and keep checking the old one until the tokens it signed have expired.
 *
 * <p>Its file (JSON, written by {@code stackctl secrets rotate jwt}):
 *
 * <pre>{"keys": [{"id": "k2", "secret": "...", "use": "sign"},
 *           {"id": "env", "secret": "...", "use": "verify", "retire_at": "2026-12-02T16:00:00Z"}]}</pre>
 */
public record KeyRing(SigningKey signing, Map<String, SigningKey> keys) {

    /**
     * The id of the key from JWT_SECRET, and the key that checks tokens without a key id (issued before tokens
     * carried one).
     */
    public static final String FROM_ENVIRONMENT = "env";

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    public KeyRing {
        keys = Map.copyOf(keys);
    }

    /** A ring of the one key JWT_SECRET holds. */
    public static KeyRing of(String secret) {
        var key = new SigningKey(FROM_ENVIRONMENT, secret, null);
        return new KeyRing(key, Map.of(key.id(), key));
    }

    /** The key that checks a token naming {@code keyId} (null: none named), if it is known and not retired. */
    public Optional<SigningKey> checking(String keyId, Instant now) {
        SigningKey key = keys.get(keyId == null ? FROM_ENVIRONMENT : keyId);
        return key == null || key.retiredAt(now) ? Optional.empty() : Optional.of(key);
    }

    /** The ids of the keys that check tokens at {@code now}, the signing key first. */
    public List<String> accepted(Instant now) {
        return keys.values().stream()
                .filter(key -> !key.retiredAt(now))
                .sorted((a, b) -> a == signing ? -1 : b == signing ? 1 : a.id().compareTo(b.id()))
                .map(SigningKey::id)
                .toList();
    }

    /** Reads a key ring file's text; throws {@link IllegalArgumentException} saying what is wrong with it. */
    public static KeyRing parse(String text, ObjectMapper json) {
        JsonNode root;
        try {
            root = json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("it is not JSON (" + e.getOriginalMessage() + ")");
        }
        JsonNode list = root == null ? null : root.get("keys");
        if (list == null || !list.isArray() || list.isEmpty()) {
            throw new IllegalArgumentException("it has no \"keys\" list");
        }
        Map<String, SigningKey> keys = new LinkedHashMap<>();
        SigningKey signing = null;
        for (JsonNode node : list) {
            String id = node.path("id").asText("");
            if (!ID.matcher(id).matches()) {
                throw new IllegalArgumentException(
                        "a key's id '" + id + "' is not 1-64 letters, digits, '.', '_', '-'");
            }
            String secret = node.path("secret").asText("");
            if (secret.length() < AuthSettings.MIN_SECRET_LENGTH) {
                throw new IllegalArgumentException("key '%s' has a secret of %d characters; at least %d are needed"
                        .formatted(id, secret.length(), AuthSettings.MIN_SECRET_LENGTH));
            }
            Instant retireAt = null;
            if (node.hasNonNull("retire_at")) {
                try {
                    retireAt = Instant.parse(node.get("retire_at").asText());
                } catch (DateTimeParseException e) {
                    throw new IllegalArgumentException("key '" + id + "' has a retire_at that is not an ISO instant");
                }
            }
            var key = new SigningKey(id, secret, retireAt);
            if (keys.putIfAbsent(id, key) != null) {
                throw new IllegalArgumentException("key id '" + id + "' appears twice");
            }
            String use = node.path("use").asText("");
            if (use.equals("sign")) {
                if (signing != null) {
                    throw new IllegalArgumentException("keys '" + signing.id() + "' and '" + id + "' both sign");
                }
                if (retireAt != null) {
                    throw new IllegalArgumentException("the signing key '" + id + "' cannot have a retire_at");
                }
                signing = key;
            } else if (!use.equals("verify")) {
                throw new IllegalArgumentException("key '" + id + "' has use '" + use + "'; want 'sign' or 'verify'");
            }
        }
        if (signing == null) {
            throw new IllegalArgumentException("no key has \"use\": \"sign\"");
        }
        return new KeyRing(signing, keys);
    }
}
