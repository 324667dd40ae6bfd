package io.stackctl.secrets;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The two steps of a token key rotation, each confirmed by every running replica before the next, apart from where
 * the ring is written and how the replicas are asked (so the order can be checked against replicas that lag).
 * Step 1: every replica learns the new key while the old one still signs, so a token any replica signs after it is
 * one every replica checks. Step 2: the new key signs; the old one checks the tokens it signed until they expire.
 */
final class KeySteps {

    /** What one running replica says it uses now; {@code problem} is why it did not say (null when it did). */
    record Seen(String replica, String signing, List<String> accepted, String problem) {

        static Seen unanswered(String replica, String problem) {
            return new Seen(replica, "", List.of(), problem);
        }

        String label() {
            return problem == null ? replica : replica + " (" + problem + ")";
        }
    }

    /** How the steps ended: done, or the step (1 or 2) that no replica in {@code behind} confirmed in time. */
    record Outcome(int failedStep, List<String> behind) {
        boolean done() {
            return failedStep == 0;
        }
    }

    private final Consumer<TokenKeyRing> write;
    private final Supplier<List<Seen>> replicas;
    private final Duration confirm;
    private final Runnable pause;

    KeySteps(Consumer<TokenKeyRing> write, Supplier<List<Seen>> replicas, Duration confirm, Runnable pause) {
        this.write = write;
        this.replicas = replicas;
        this.confirm = confirm;
        this.pause = pause;
    }

    /** A replica that does not confirm step 1 undoes it: the ring goes back to {@code current}. */
    Outcome run(TokenKeyRing current, TokenKeyRing.Key next, Instant now, Instant retireAt, PrintWriter progress) {
        String from = current.signing().id();
        TokenKeyRing learning = current.learning(next, now);
        write.accept(learning);
        progress.printf("step 1/2: every replica learns key %s; %s still signs%n", next.id(), from);
        List<String> behind = await(seen -> seen.accepted().contains(next.id()));
        if (!behind.isEmpty()) {
            write.accept(current);
            return new Outcome(1, behind);
        }
        write.accept(learning.signingWith(next.id(), retireAt));
        progress.printf("step 2/2: key %s signs; %s checks the tokens it signed until %s%n", next.id(), from, retireAt);
        behind = await(seen -> seen.signing().equals(next.id()));
        return new Outcome(behind.isEmpty() ? 0 : 2, behind);
    }

    /** Waits until every running replica passes {@code confirmed}; those that did not in time, else none. */
    private List<String> await(Predicate<Seen> confirmed) {
        long deadline = System.nanoTime() + confirm.toNanos();
        while (true) {
            List<String> behind = replicas.get().stream()
                    .filter(seen -> seen.problem() != null || !confirmed.test(seen))
                    .map(Seen::label)
                    .toList();
            if (behind.isEmpty() || System.nanoTime() >= deadline) {
                return behind;
            }
            pause.run();
        }
    }
}
