package io.stackctl.cli;

import io.stackctl.core.ExitCodes;
import io.stackctl.secrets.AdminRotation;
import io.stackctl.secrets.CredentialRotation;
import io.stackctl.secrets.JwtRotation;
import io.stackctl.secrets.KeyRingFile;
import io.stackctl.stack.Stack;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(
        name = "rotate",
        description = {
            "Rotate a secret under load with no failed request.",
            "jwt: a new token signing key; tokens signed with the old one keep working until they expire.",
            "admin: a new admin password in compose/.env, rolled out as deploy rolls (options below); every token"
                    + " issued under the old password ends.",
            "db: the app's database login: the replicas roll (as deploy rolls) onto the role's other login with a new"
                    + " password, then the old login is closed.",
            "redis: the app's Redis password: its ACL user takes the new one beside the old, the replicas roll onto"
                    + " it, then the old one is removed."
        })
final class SecretsRotate extends StackCommand {

    /** The secrets this command rotates (compose/.env's others: the superuser's and stackctl's own, by hand). */
    enum Secret {
        jwt,
        admin,
        db,
        redis
    }

    @Mixin
    RolloutOptions rollout;

    @Parameters(index = "0", paramLabel = "SECRET", description = "What to rotate: ${COMPLETION-CANDIDATES}.")
    Secret secret;

    @Override
    boolean changesStack() {
        return true;
    }

    @Override
    public Integer call() {
        try (Stack stack = openStack()) {
            if (secret == Secret.admin) {
                requireReplicas(stack);
                print(new AdminRotation(stack, target(stack)).rotate(rollout.options(false)));
                err().println("the new admin password is ADMIN_PASSWORD in "
                        + stack.files().envFile() + "; tokens issued under the old one are refused");
                return ExitCodes.OK;
            }
            if (secret == Secret.db || secret == Secret.redis) {
                requireReplicas(stack);
                var rotation = secret == Secret.db
                        ? CredentialRotation.database(stack, target(stack), err())
                        : CredentialRotation.cache(stack, target(stack), err());
                print(rotation.rotate(rollout.options(false)));
                return ExitCodes.OK;
            }
            var result = new JwtRotation(stack, err()).rotate();
            if (!result.privateFile()) {
                err().println("warning: " + stack.files().tokenKeysFile() + " is readable by every user of this host:"
                        + " stackctl is not root, so it cannot give the file to the app's user (uid "
                        + KeyRingFile.APP_UID + "); run stackctl as root to keep it private");
            }
            if (global.json()) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("secret", secret.name());
                doc.put("from", result.from());
                doc.put("to", result.to());
                doc.put("previous_retires_at", result.retireAt().toString());
                doc.put("replicas", result.replicas());
                doc.put("seconds", Math.round(result.millis() / 100.0) / 10.0);
                output().json(doc);
            } else {
                output().line("jwt: key %s signs on %d replica(s) in %.1fs; tokens signed with %s are accepted until %s"
                        .formatted(
                                result.to(),
                                result.replicas(),
                                result.millis() / 1000.0,
                                result.from(),
                                result.retireAt()));
            }
        }
        return ExitCodes.OK;
    }
}
