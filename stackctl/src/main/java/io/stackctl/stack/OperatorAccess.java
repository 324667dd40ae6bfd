package io.stackctl.stack;

import io.stackctl.client.ApiAccess;
import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;

/** stackctl's own credential for the API, chosen by what the running replicas accept. */
final class OperatorAccess {

    private OperatorAccess() {}

    /**
     * How stackctl calls the API through nginx, as the admin account (which sees every task and is not rate
     * limited): with the operator token, which no login flood can lock, once every replica takes it. Replicas from
     * before OPS_TOKEN (until {@code up} rolls them) get the admin's login instead, also while the file says
     * AUTH_MODE=off, because during a deploy between modes the old replicas still want a token.
     */
    static ApiAccess of(Stack stack) {
        var env = EnvFile.load(stack.files().envFile());
        var token = env.get(EnvFile.OPS_SECRET);
        if (token.isPresent() && everyReplicaTakes(stack, token.get())) {
            return new ApiAccess(stack.settings().baseUrl(), token);
        }
        var password = env.get(EnvFile.ADMIN_SECRET);
        if (password.isEmpty()) {
            if (!stack.settings().authRequired()) {
                return ApiAccess.anonymous(stack.settings().baseUrl());
            }
            throw new StackctlException(
                    ExitCodes.PRECONDITION,
                    stack.files().envFile() + " has no " + EnvFile.OPS_SECRET + " or " + EnvFile.ADMIN_SECRET
                            + ", so stackctl cannot call the API",
                    "run bin/stackctl up: it adds the missing secrets and rolls the replicas onto them");
        }
        try {
            return ApiAccess.login(stack.settings().baseUrl(), stack.settings().adminUsername(), password.get());
        } catch (ApiAccess.LoginRefused e) {
            if (!stack.settings().authRequired()) {
                return ApiAccess.anonymous(stack.settings().baseUrl());
            }
            throw new StackctlException(
                    ExitCodes.PRECONDITION,
                    "the API refused stackctl's login as '" + stack.settings().adminUsername() + "': " + e.getMessage(),
                    e.status() == 401
                            ? "the replicas run another " + EnvFile.ADMIN_SECRET + " than "
                                    + stack.files().envFile()
                                    + ": run bin/stackctl up (or deploy) so they take the file's"
                            : "check the stack with: bin/stackctl health");
        }
    }

    /**
     * Whether each running replica, asked directly, accepts {@code token} as the operator's. A replica still being
     * created (no address yet) is not asked: it was created from the current compose/.env, OPS_TOKEN included.
     */
    private static boolean everyReplicaTakes(Stack stack, String token) {
        var replicas = stack.reachableReplicas();
        if (replicas.isEmpty()) {
            return false;
        }
        return replicas.stream()
                .allMatch(replica ->
                        stack.operatorCall(replica, "GET", "/auth/me", token).ok());
    }
}
