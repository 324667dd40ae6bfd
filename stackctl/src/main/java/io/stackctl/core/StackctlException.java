package io.stackctl.core;

/**
 * The one failure type the command layer reports: an exit code, one line saying what happened, and a hint
 * saying how to fix it. Domain packages throw it with {@link ExitCodes} values.
 */
public final class StackctlException extends RuntimeException {

    private final int exitCode;
    private final String hint;

    public StackctlException(int exitCode, String message, String hint) {
        super(message);
        this.exitCode = exitCode;
        this.hint = hint;
    }

    public StackctlException(int exitCode, String message, String hint, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
        this.hint = hint;
    }

    public int exitCode() {
        return exitCode;
    }

    public String hint() {
        return hint;
    }
}
