package io.stackctl.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackctl.core.StackctlException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The key ring's two steps, what a stopped rotation leaves, and the file the replicas read. */
class TokenKeyRingTest {

    static final String SECRET = "env-secret-env-secret-env-secret-env";
    static final Instant NOW = Instant.parse("2026-12-02T15:00:00Z");

    @TempDir
    Path dir;

    @Test
    void aRotationFirstAddsACheckingKeyThenMovesTheSigningAndRetiresTheOldKeyOnSchedule() {
        var ring = TokenKeyRing.ofEnvironment(SECRET);
        var next = TokenKeyRing.newKey(NOW, new SecureRandom());
        assertThat(next.id()).isEqualTo("k20261202T150000Z");
        assertThat(next.secret()).hasSize(64);

        var learning = ring.learning(next, NOW);
        assertThat(learning.signing().id()).isEqualTo("env");
        assertThat(learning.keys()).extracting(TokenKeyRing.Key::id).containsExactly("env", next.id());

        Instant retire = NOW.plusSeconds(3630);
        var signing = learning.signingWith(next.id(), retire);
        assertThat(signing.signing().id()).isEqualTo(next.id());
        assertThat(signing.keys())
                .filteredOn(key -> key.id().equals("env"))
                .singleElement()
                .satisfies(key -> {
                    assertThat(key.use()).isEqualTo("verify");
                    assertThat(key.retireAt()).isEqualTo(retire);
                });

        var third = TokenKeyRing.newKey(retire, new SecureRandom());
        assertThat(signing.learning(third, retire).keys())
                .as("the next rotation after the old key retired leaves it out")
                .extracting(TokenKeyRing.Key::id)
                .containsExactly(next.id(), third.id());
        assertThat(signing.learning(third, retire.minusSeconds(1)).keys())
                .as("one before it keeps it until then")
                .extracting(TokenKeyRing.Key::id)
                .containsExactlyInAnyOrder(next.id(), "env", third.id());
    }

    @Test
    void aRotationStoppedAfterItsFirstStepLeavesACandidateTheNextRotationDrops() {
        var stopped = TokenKeyRing.ofEnvironment(SECRET).learning(TokenKeyRing.newKey(NOW, new SecureRandom()), NOW);
        var next = TokenKeyRing.newKey(NOW.plusSeconds(60), new SecureRandom());
        assertThat(stopped.learning(next, NOW.plusSeconds(60)).keys())
                .extracting(TokenKeyRing.Key::id)
                .containsExactly("env", next.id());
    }

    @Test
    void theFileHoldsTheAppsFormatAndReadsBackAndABrokenOneIsNamed() throws IOException {
        var ring = TokenKeyRing.ofEnvironment(SECRET)
                .learning(TokenKeyRing.newKey(NOW, new SecureRandom()), NOW)
                .signingWith("k20261202T150000Z", NOW.plusSeconds(60));
        Path file = dir.resolve("keys").resolve("jwt-keys.json");
        KeyRingFile.write(file, ring);
        String text = Files.readString(file);
        assertThat(text)
                .contains("\"use\" : \"sign\"")
                .contains("\"use\" : \"verify\"")
                .contains("\"retire_at\" : \"2026-12-02T15:01:00Z\"");
        assertThat(TokenKeyRing.read(file)).contains(ring);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .as("private to the app's user, or readable by all when stackctl is not root")
                .isIn("r--------", "rw-r--r--");
        assertThat(Files.list(file.getParent())).as("no temporary file left").hasSize(1);

        Files.writeString(file, "{\"keys\":[{\"id\":\"k\"");
        assertThatThrownBy(() -> TokenKeyRing.read(file))
                .isInstanceOf(StackctlException.class)
                .hasMessageContaining("cannot read the token key ring " + file);
        assertThat(TokenKeyRing.read(dir.resolve("absent.json"))).isEmpty();
        assertThat(ring.toString()).doesNotContain(SECRET);
    }
}
