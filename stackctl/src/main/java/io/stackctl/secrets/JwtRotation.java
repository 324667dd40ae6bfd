package io.stackctl.secrets;

import com.fasterxml.jackson.databind.JsonNode;
import io.stackctl.core.ExitCodes;
import io.stackctl.core.Json;
import io.stackctl.core.Pause;
import io.stackctl.core.StackctlException;
import io.stackctl.engine.ServiceContainer;
import io.stackctl.stack.EnvFile;
import io.stackctl.stack.Stack;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Rotates the key that signs the API's tokens with no request refused, in two steps each replica confirms (its
 * {@code /ops/keys}) before the next: first every replica learns the new key while the old one still signs, so a
 * token any replica signs afterwards is one every replica checks; then the new key signs and the old one checks
 * the tokens it signed until the last of them expires (the token lifetime plus the clock skew allowed), after which
 * the replicas drop it on their own. No replica restarts: they read the ring each second.
 *
 * <p>Safe to stop at any point: after step 1 the extra key only checks, and the next rotation drops it; after step 2
 * the ring is complete. A replica that does not confirm step 1 undoes it.
 */
public final class JwtRotation {

    static final Duration CONFIRM = Duration.ofSeconds(30);

    private final Stack stack;
    private final PrintWriter progress;
    private final Clock clock;

    public JwtRotation(Stack stack, PrintWriter progress) {
        this.stack = stack;
        this.progress = progress;
        this.clock = Clock.systemUTC();
    }

    public record Result(String from, String to, Instant retireAt, int replicas, boolean privateFile, long millis) {}

    public Result rotate() {
        if (stack.swarm()) {
            throw new StackctlException(
                    ExitCodes.PRECONDITION,
                    "rotating the token key is built for compose stacks; on Swarm the key is the jwt_secret Docker"
                            + " secret, which every replica reads once at its start",
                    "on Swarm, change JWT_SECRET in compose/.env and run bin/stackctl deploy (tokens issued before"
                            + " it then end: users log in again)");
        }
        stack.requireRunning();
        long start = System.nanoTime();
        EnvFile env = EnvFile.load(stack.files().envFile());
        Path file = stack.files().tokenKeysFile();
        Instant now = clock.instant();
        TokenKeyRing current = TokenKeyRing.read(file)
                .orElseGet(() -> TokenKeyRing.ofEnvironment(env.get(EnvFile.TOKEN_SECRET)
                        .orElseThrow(() -> new StackctlException(
                                ExitCodes.PRECONDITION,
                                stack.files().envFile() + " has no " + EnvFile.TOKEN_SECRET,
                                "run bin/stackctl up: it adds the missing secrets"))));
        TokenKeyRing.Key next = TokenKeyRing.newKey(now, new SecureRandom());
        String from = current.signing().id();
        Instant retireAt =
                now.plus(tokenLifetime(env)).truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
        var rotations = new Rotations(stack.files().releasesDir(), stack.project());
        var record = new Rotation(now, "jwt", from, next.id(), retireAt, Rotation.Status.rotating, 0, "");
        rotations.add(record);

        boolean[] privateFile = {true};
        var steps = new KeySteps(
                ring -> privateFile[0] &= KeyRingFile.write(file, ring),
                () -> askReplicas(stack),
                CONFIRM,
                () -> Pause.sleep(
                        Duration.ofMillis(250),
                        "interrupted while the replicas load the token keys",
                        "run bin/stackctl secrets rotate jwt again: it starts from the ring as the file holds it"));
        var outcome = steps.run(current, next, now, retireAt, progress);
        if (outcome.failedStep() == 1) {
            String why = "no confirmation within " + CONFIRM.toSeconds() + " s from "
                    + String.join(", ", outcome.behind()) + " that it checks tokens with key " + next.id();
            rotations.finish(record.ended(Rotation.Status.failed, elapsed(start), why + "; undone"));
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "the token key was not rotated: " + why + "; the ring is back as it was, and " + from
                            + " still signs",
                    "check those replicas with bin/stackctl health and their logs (\"token keys\"); a 404 means they"
                            + " run an image or compose.yaml from before key rotation: run bin/stackctl deploy first");
        }
        if (outcome.failedStep() == 2) {
            String why = "no confirmation within " + CONFIRM.toSeconds() + " s from "
                    + String.join(", ", outcome.behind()) + " that key " + next.id() + " signs";
            rotations.finish(record.ended(Rotation.Status.failed, elapsed(start), why));
            throw new StackctlException(
                    ExitCodes.FAILED,
                    why + "; every replica already checks both keys, so no token is refused meanwhile",
                    "check those replicas with bin/stackctl health and their logs (\"token keys\"), then run the"
                            + " rotation again");
        }
        int replicas = stack.replicas().size();
        rotations.finish(
                record.ended(Rotation.Status.done, elapsed(start), replicas + " replica(s) confirmed each step"));
        return new Result(from, next.id(), retireAt, replicas, privateFile[0], elapsed(start));
    }

    /** How long a token signed now may be used: JWT_TTL_MINUTES plus JWT_CLOCK_SKEW_SECONDS, as the app reads them. */
    static Duration tokenLifetime(EnvFile env) {
        long minutes = env.get("JWT_TTL_MINUTES").map(Long::parseLong).orElse(60L);
        long skew = env.get("JWT_CLOCK_SKEW_SECONDS").map(Long::parseLong).orElse(30L);
        return Duration.ofMinutes(minutes).plusSeconds(skew);
    }

    /** Each running replica's own {@code /ops/keys}, asked on its frontend address with the operator token. */
    static List<KeySteps.Seen> askReplicas(Stack stack) {
        List<KeySteps.Seen> seen = new ArrayList<>();
        for (ServiceContainer replica : stack.replicas()) {
            var answer = stack.askReplicaOperator(replica, "/ops/keys");
            if (!answer.ok()) {
                seen.add(KeySteps.Seen.unanswered(
                        replica.name(), answer.status() > 0 ? "HTTP " + answer.status() : answer.error()));
                continue;
            }
            seen.add(seen(replica.name(), answer.body()));
        }
        return seen;
    }

    /** What a replica's {@code /ops/keys} answer says. */
    static KeySteps.Seen seen(String replica, String body) {
        try {
            JsonNode keys = Json.MAPPER.readTree(body);
            List<String> accepted = new ArrayList<>();
            keys.path("accepted").forEach(id -> accepted.add(id.asText()));
            return new KeySteps.Seen(replica, keys.path("signing").asText(), accepted, null);
        } catch (IOException e) {
            return KeySteps.Seen.unanswered(replica, "not JSON: " + e.getMessage());
        }
    }

    private static long elapsed(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }
}
