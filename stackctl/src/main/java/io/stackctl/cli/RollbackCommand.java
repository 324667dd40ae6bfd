package io.stackctl.cli;

import io.stackctl.core.ExitCodes;
import io.stackctl.stack.Stack;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "rollback",
        description = "Roll the app replicas back to the previous release that served (or --to ID), from its saved"
                + " settings and image, the same way deploy rolls forward. The next up or deploy applies"
                + " compose/.env again.")
final class RollbackCommand extends StackCommand {

    @Override
    boolean changesStack() {
        return true;
    }

    @Mixin
    RolloutOptions rollout;

    @Option(
            names = "--to",
            paramLabel = "ID",
            converter = ReleaseId.class,
            description = "The release to return to, e.g. 3 or r3.")
    Integer to;

    @Override
    public Integer call() {
        try (Stack stack = openStack()) {
            requireReplicas(stack);
            print(target(stack).rollback(Optional.ofNullable(to), rollout.options(false)));
        }
        return ExitCodes.OK;
    }

    /** {@code 3} or {@code r3}, as {@code releases} prints it. */
    static final class ReleaseId implements picocli.CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String text) {
            String digits = text.startsWith("r") ? text.substring(1) : text;
            if (!digits.matches("[0-9]{1,6}") || Integer.parseInt(digits) < 1) {
                throw new picocli.CommandLine.TypeConversionException(
                        "--to takes a release id such as 3 or r3 (bin/stackctl releases lists them), got '" + text
                                + "'");
            }
            return Integer.parseInt(digits);
        }
    }
}
