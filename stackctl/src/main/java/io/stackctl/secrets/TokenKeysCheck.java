package io.stackctl.secrets;

import io.stackctl.core.StackctlException;
import io.stackctl.stack.Stack;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * For {@code health}: do the replicas sign tokens with the key the ring file names? A replica that cannot read the
 * file (its owner, its mode, a missing mount) keeps the ring it had, and after the next rotation its tokens would be
 * refused by the others, or theirs by it.
 */
public final class TokenKeysCheck {

    private TokenKeysCheck() {}

    /** The problems, for compose stacks whose replicas answer {@code /ops/keys}; none on Swarm. */
    public static List<String> problems(Stack stack) {
        if (stack.swarm()) {
            return List.of();
        }
        Optional<TokenKeyRing> ring;
        try {
            ring = TokenKeyRing.read(stack.files().tokenKeysFile());
        } catch (StackctlException e) {
            return List.of(e.getMessage());
        }
        Map<String, String> signing = new TreeMap<>();
        try {
            JwtRotation.askReplicas(stack).stream()
                    .filter(seen -> seen.problem() == null)
                    .forEach(seen -> signing.put(seen.replica(), seen.signing()));
        } catch (StackctlException e) {
            return List.of(); // no OPS_TOKEN to ask with: health names that through its other checks
        }
        return problems(
                ring.map(r -> r.signing().id()),
                signing,
                stack.files().tokenKeysFile().toString());
    }

    /**
     * @param fileSigns the key the ring file says signs, when there is a file
     * @param signing each replica's signing key, as it answered
     */
    static List<String> problems(Optional<String> fileSigns, Map<String, String> answers, String file) {
        // By replica name, whatever map the answers came in: the message is the same on every run.
        Map<String, String> signing = new TreeMap<>(answers);
        List<String> problems = new ArrayList<>();
        if (signing.values().stream().distinct().count() > 1) {
            problems.add("the replicas sign tokens with different keys (" + describe(signing)
                    + "): a token one of them issues may be refused by another; run bin/stackctl secrets rotate jwt"
                    + " again, and check the replicas' logs for \"token keys\"");
        }
        fileSigns.ifPresent(expected -> {
            var behind = new TreeMap<>(signing);
            behind.values().removeIf(expected::equals);
            if (!behind.isEmpty()) {
                problems.add(String.join(", ", behind.keySet()) + " sign" + (behind.size() == 1 ? "s" : "")
                        + " tokens with "
                        + (behind.size() == 1
                                ? "key " + behind.values().iterator().next()
                                : "other keys (" + describe(behind) + ")")
                        + " but " + file + " says " + expected
                        + ": they do not read the file (its owner must be uid " + KeyRingFile.APP_UID
                        + ", and compose/keys must be mounted)");
            }
        });
        return problems;
    }

    private static String describe(Map<String, String> signing) {
        return signing.entrySet().stream()
                .map(e -> e.getKey() + ": " + e.getValue())
                .reduce((a, b) -> a + ", " + b)
                .orElse("");
    }
}
