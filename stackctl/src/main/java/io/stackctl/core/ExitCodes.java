package io.stackctl.core;

/** The exit codes of every stackctl command (DESIGN.md). */
public final class ExitCodes {

    /** Done, and every check passed. */
    public static final int OK = 0;
    /** A check failed: unhealthy, target missed, drill failed, backup corrupt. */
    public static final int CHECK_FAILED = 1;
    /** The command line was wrong. */
    public static final int USAGE = 2;
    /** Something the command needs is missing: no engine, stack not running. */
    public static final int PRECONDITION = 3;
    /** The operation itself failed. */
    public static final int FAILED = 4;

    private ExitCodes() {}
}
