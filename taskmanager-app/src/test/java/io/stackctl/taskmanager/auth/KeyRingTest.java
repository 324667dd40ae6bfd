package io.stackctl.taskmanager.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The token key ring: what its file may say, which key checks which token, and how a rotation reaches a replica. */
class KeyRingTest {

    static final String OLD = "old-secret-old-secret-old-secret-old";
    static final String NEW = "new-secret-new-secret-new-secret-new";
    static final Instant NOW = Instant.parse("2026-12-02T15:00:00Z");
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    static String ring(String entries) {
        return "{\"keys\":[" + entries + "]}";
    }

    static String key(String id, String secret, String use, Instant retireAt) {
        return "{\"id\":\"%s\",\"secret\":\"%s\",\"use\":\"%s\"%s}"
                .formatted(id, secret, use, retireAt == null ? "" : ",\"retire_at\":\"" + retireAt + "\"");
    }

    static AuthSettings settings() {
        return new AuthSettings(true, OLD, Duration.ofMinutes(60), Duration.ofSeconds(30), "admin", "", 0, 10, "");
    }

    @Test
    void aFileThatMakesNoSenseIsRefusedSayingWhy() {
        String good = key("k2", NEW, "sign", null);
        assertThatThrownBy(() -> KeyRing.parse("{", JSON)).hasMessageStartingWith("it is not JSON");
        assertThatThrownBy(() -> KeyRing.parse("{\"keys\":[]}", JSON)).hasMessage("it has no \"keys\" list");
        assertThatThrownBy(() -> KeyRing.parse(ring(key("env", OLD, "verify", null)), JSON))
                .hasMessage("no key has \"use\": \"sign\"");
        assertThatThrownBy(() -> KeyRing.parse(ring(good + "," + key("env", OLD, "sign", null)), JSON))
                .hasMessage("keys 'k2' and 'env' both sign");
        assertThatThrownBy(() -> KeyRing.parse(ring(good + "," + key("k2", OLD, "verify", null)), JSON))
                .hasMessage("key id 'k2' appears twice");
        assertThatThrownBy(() -> KeyRing.parse(ring(key("k2", "short", "sign", null)), JSON))
                .hasMessage("key 'k2' has a secret of 5 characters; at least 32 are needed");
        assertThatThrownBy(() -> KeyRing.parse(ring(key("k 2", NEW, "sign", null)), JSON))
                .hasMessageContaining("is not 1-64 letters");
        assertThatThrownBy(() -> KeyRing.parse(ring(key("k2", NEW, "sign", NOW)), JSON))
                .hasMessage("the signing key 'k2' cannot have a retire_at");
        assertThatThrownBy(() -> KeyRing.parse(ring(key("k2", NEW, "both", null)), JSON))
                .hasMessage("key 'k2' has use 'both'; want 'sign' or 'verify'");
    }

    @Test
    void aTokenIsCheckedByTheKeyItNamesUntilThatKeyRetires() {
        var keys = new AtomicReference<>(KeyRing.of(OLD));
        Tokens at = new Tokens(settings(), keys::get, Clock.fixed(NOW, ZoneOffset.UTC));
        var user = new User(7, "alice", "alice@example.org", Role.USER, NOW.minusSeconds(3600));
        String before = at.issue(user).token();

        // Phase 1: every replica learns the new key while the old one still signs.
        keys.set(KeyRing.parse(ring(key("env", OLD, "sign", null) + "," + key("k2", NEW, "verify", null)), JSON));
        assertThat(at.verify(before).userId()).isEqualTo(7);
        assertThat(at.verify(at.issue(user).token()).userId()).isEqualTo(7);

        // Phase 2: the new key signs; the old one checks what it signed until it retires.
        keys.set(KeyRing.parse(
                ring(key("k2", NEW, "sign", null) + "," + key("env", OLD, "verify", NOW.plusSeconds(60))), JSON));
        String after = at.issue(user).token();
        assertThat(com.auth0.jwt.JWT.decode(after).getKeyId()).isEqualTo("k2");
        assertThat(at.verify(before).userId())
                .as("a token signed before the rotation")
                .isEqualTo(7);
        assertThat(at.verify(after).userId()).isEqualTo(7);

        Tokens later = new Tokens(settings(), keys::get, Clock.fixed(NOW.plusSeconds(60), ZoneOffset.UTC));
        assertThatThrownBy(() -> later.verify(before))
                .isInstanceOf(Tokens.Rejected.class)
                .hasMessageContaining("retired or unknown");
        assertThat(later.verify(after).userId()).isEqualTo(7);
    }

    @Test
    void aTokenNamingAKeyWithAnotherKeysSecretIsRejected() {
        var user = new User(7, "alice", "alice@example.org", Role.USER, NOW.minusSeconds(3600));
        Tokens forger = new Tokens(
                settings(),
                () -> KeyRing.parse(ring(key("k2", OLD, "sign", null)), JSON),
                Clock.fixed(NOW, ZoneOffset.UTC));
        Tokens server = new Tokens(
                settings(),
                () -> KeyRing.parse(ring(key("k2", NEW, "sign", null) + "," + key("env", OLD, "verify", null)), JSON),
                Clock.fixed(NOW, ZoneOffset.UTC));
        assertThatThrownBy(() -> server.verify(forger.issue(user).token()))
                .as("signed with the old secret but naming the new key")
                .isInstanceOf(Tokens.Rejected.class);
    }

    @Test
    void aRunningSourceFollowsItsFileKeepsTheLastGoodRingAndFallsBackWhenTheFileGoes() throws IOException {
        Path file = dir.resolve("jwt-keys.json");
        try (var source = KeyRingSource.watching(file, OLD)) {
            assertThat(source.get().signing().id()).isEqualTo(KeyRing.FROM_ENVIRONMENT);

            Files.writeString(file, ring(key("k2", NEW, "sign", null) + "," + key("env", OLD, "verify", null)));
            source.reload(false);
            assertThat(source.get().signing().id()).isEqualTo("k2");
            assertThat(source.get().accepted(NOW)).containsExactly("k2", "env");

            Files.writeString(file, "{\"keys\":");
            source.reload(false);
            assertThat(source.get().signing().id())
                    .as("a broken file keeps the ring before it")
                    .isEqualTo("k2");

            Files.delete(file);
            source.reload(false);
            assertThat(source.get().signing().id()).isEqualTo(KeyRing.FROM_ENVIRONMENT);
        }
    }

    @Test
    void aBrokenFileAtStartStopsTheReplicaNamingTheFile() throws IOException {
        Path file = dir.resolve("jwt-keys.json");
        Files.writeString(file, ring(key("k2", NEW, "verify", null)));
        assertThatThrownBy(() -> KeyRingSource.watching(file, OLD))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("JWT_KEYS_FILE " + file + " is not a usable key ring: no key has \"use\": \"sign\"");
        assertThat(settings().toString()).doesNotContain(OLD);
    }
}
