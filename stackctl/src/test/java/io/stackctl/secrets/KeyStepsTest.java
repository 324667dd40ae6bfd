package io.stackctl.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The rotation's order against replicas that load the written ring one at a time, as real ones do on their own
 * second: after every load, every replica must check what every other one signs, or a token would meet a 401.
 */
class KeyStepsTest {

    static final Instant NOW = Instant.parse("2026-12-02T15:00:00Z");
    static final TokenKeyRing CURRENT = TokenKeyRing.ofEnvironment("env-secret-env-secret-env-secret-env");
    static final TokenKeyRing.Key NEXT = TokenKeyRing.newKey(NOW, new SecureRandom());

    /** Replicas that each keep the ring they loaded last; each ask lets the next lagging one load the file. */
    static final class LaggingReplicas {
        final Map<String, TokenKeyRing> loaded = new LinkedHashMap<>();
        final List<String> stuck = new ArrayList<>();
        final List<String> violations = new ArrayList<>();
        TokenKeyRing file = CURRENT;

        LaggingReplicas(String... names) {
            for (String name : names) {
                loaded.put(name, CURRENT);
            }
        }

        void write(TokenKeyRing ring) {
            file = ring;
        }

        List<KeySteps.Seen> ask() {
            loaded.entrySet().stream()
                    .filter(e -> !e.getValue().equals(file) && !stuck.contains(e.getKey()))
                    .findFirst()
                    .ifPresent(e -> {
                        e.setValue(file);
                        checkEveryoneChecksWhatAnyoneSigns();
                    });
            return loaded.entrySet().stream()
                    .map(e -> new KeySteps.Seen(
                            e.getKey(),
                            e.getValue().signing().id(),
                            e.getValue().withoutRetired(NOW).keys().stream()
                                    .map(TokenKeyRing.Key::id)
                                    .toList(),
                            null))
                    .toList();
        }

        private void checkEveryoneChecksWhatAnyoneSigns() {
            loaded.forEach((signer, signerRing) -> loaded.forEach((checker, checkerRing) -> {
                boolean checks = checkerRing.withoutRetired(NOW).keys().stream()
                        .anyMatch(key -> key.id().equals(signerRing.signing().id()));
                if (!checks) {
                    violations.add(checker + " refuses what " + signer + " signs ("
                            + signerRing.signing().id() + ")");
                }
            }));
        }
    }

    static KeySteps steps(LaggingReplicas replicas) {
        return new KeySteps(replicas::write, replicas::ask, Duration.ofMillis(200), () -> {});
    }

    @Test
    void atNoMomentDoesOneReplicaSignWhatAnotherRefusesAndTheRotationEndsOnTheNewKey() {
        var replicas = new LaggingReplicas("app-1", "app-2", "app-3");
        var progress = new StringWriter();
        var outcome = steps(replicas).run(CURRENT, NEXT, NOW, NOW.plusSeconds(3630), new PrintWriter(progress, true));
        assertThat(replicas.violations).isEmpty();
        assertThat(outcome.done()).isTrue();
        assertThat(replicas.loaded.values())
                .allSatisfy(ring -> assertThat(ring.signing().id()).isEqualTo(NEXT.id()));
        assertThat(replicas.file.keys()).extracting(TokenKeyRing.Key::id).containsExactlyInAnyOrder(NEXT.id(), "env");
        assertThat(progress.toString()).contains("step 1/2").contains("step 2/2");
    }

    @Test
    void aReplicaThatNeverLearnsTheNewKeyStopsTheRotationAtStepOneAndTheRingGoesBack() {
        var replicas = new LaggingReplicas("app-1", "app-2");
        replicas.stuck.add("app-2");
        var outcome =
                steps(replicas).run(CURRENT, NEXT, NOW, NOW.plusSeconds(3630), new PrintWriter(new StringWriter()));
        assertThat(outcome.failedStep()).isEqualTo(1);
        assertThat(outcome.behind()).containsExactly("app-2");
        assertThat(replicas.file).isEqualTo(CURRENT);
        assertThat(replicas.violations).isEmpty();
    }

    @Test
    void aReplicaThatAnswersNothingIsNamedWithWhy() {
        var outcome = new KeySteps(
                        ring -> {},
                        () -> List.of(KeySteps.Seen.unanswered("app-1", "HTTP 404")),
                        Duration.ofMillis(50),
                        () -> {})
                .run(CURRENT, NEXT, NOW, NOW.plusSeconds(60), new PrintWriter(new StringWriter()));
        assertThat(outcome.behind()).containsExactly("app-1 (HTTP 404)");
    }
}
