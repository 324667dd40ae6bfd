package io.stackctl.cli;

import io.stackctl.stack.Stack;
import io.stackctl.stack.StackFiles;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every leaf command shares: the global options, its streams, and a way to open the stack. */
abstract class StackCommand implements Callable<Integer> {

    @Mixin
    GlobalOptions global;

    @Spec
    CommandSpec spec;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** Progress and hints: stderr, so stdout carries only the answer. */
    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    Output output() {
        return new Output(out());
    }

    Map<String, String> environment() {
        return StackctlCommandLine.environmentOf(spec.commandLine());
    }

    StackFiles files() {
        String home = environment().get("STACKCTL_HOME");
        return StackFiles.locate(global.projectDir, home, Path.of("").toAbsolutePath());
    }

    Stack openStack() {
        return Stack.open(global.project(), files(), environment());
    }

    void progress(String format, Object... args) {
        err().printf(format + "%n", args);
        err().flush();
    }
}
