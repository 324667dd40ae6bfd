package io.stackctl.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/** {@code java -jar stackctl.jar ...}: runs one command and exits with its code. */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        var out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        var err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        int code = StackctlCommandLine.create(System.getenv(), out, err).execute(args);
        out.flush();
        err.flush();
        System.exit(code);
    }
}
