package io.stackctl.cli;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import io.stackctl.fault.DiskFill;
import io.stackctl.fault.NetworkFaults;
import io.stackctl.prometheus.RunMarks;
import io.stackctl.stack.Stack;
import io.stackctl.stack.StackFiles;
import io.stackctl.stack.StackLock;
import io.stackctl.targets.Outcome;
import io.stackctl.targets.Target;
import io.stackctl.targets.Targets;
import io.stackctl.tls.EdgeTls;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
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
        EdgeTls.trustFor(files());
        Stack stack = Stack.open(global.project(), files(), environment(), global.verbose() ? err() : null, plain());
        if (changesStack()) {
            try {
                String holder = StackLock.describe(
                        String.join(" ", spec.commandLine().getParseResult().originalArgs()));
                stack.lockFor(admitsAutoscaler() ? holder + " " + StackLock.ADMITS_AUTOSCALER : holder);
            } catch (RuntimeException e) {
                stack.close();
                throw e;
            }
        }
        removeLeftFaults(stack);
        return stack;
    }

    /** Whether the stack's autoscaler may change the replicas while this command holds the lock (load-spike only). */
    boolean admitsAutoscaler() {
        return false;
    }

    /**
     * A drill's network fault outlives a stackctl killed mid-drill (for at most its helper's time to live): the next
     * command removes it and says so. Not while another command holds the project's lock: that may be the drill.
     */
    void removeLeftFaults(Stack stack) {
        if (!changesStack() && StackLock.heldByLiveProcess(files().locksDir(), stack.project())) {
            return;
        }
        try {
            var left = new ArrayList<>(new NetworkFaults(stack).sweep());
            left.addAll(new DiskFill(stack).sweep());
            for (String found : left) {
                err().println("warning: " + found + " (left by an interrupted drill)");
            }
        } catch (StackctlException e) {
            err().println("warning: " + e.getMessage());
            if (e.hint() != null && !e.hint().isBlank()) {
                err().println("hint: " + e.hint());
            }
        } catch (RuntimeException e) {
            // no engine to ask: the command itself says so when it needs one
        }
        for (var mark : new RunMarks(files().runMarksDir()).sweep()) {
            err().println("warning: removed " + mark + ", the Prometheus mark of a bench or drill that stopped before"
                    + " its end");
        }
        err().flush();
    }

    /** Where the stack runs: what every command that changes it acts through. */
    Target target(Stack stack) {
        return Targets.of(stack, err());
    }

    /** What a deploy or rollback did: its line, or its document with -o json. */
    void print(Outcome outcome) {
        if (global.json()) {
            output().json(outcome.document());
        } else {
            output().line(outcome.summary());
        }
    }

    /** The project's lock without the engine, for commands that change only files (backups prune). */
    StackLock lockFiles() {
        return StackLock.acquire(
                files().locksDir(),
                global.project(),
                StackLock.describe(
                        String.join(" ", spec.commandLine().getParseResult().originalArgs())));
    }

    /** Commands that change the stack or its data take the project's lock for as long as they run. */
    boolean changesStack() {
        return false;
    }

    /** Exit 3 unless app replicas run: deploy and rollback change a running stack, up starts one. */
    static void requireReplicas(Stack stack) {
        stack.requireRunning();
        if (stack.replicas().isEmpty()) {
            throw new StackctlException(
                    ExitCodes.PRECONDITION,
                    "no app replica of '" + stack.project() + "' is running, so there is nothing to roll over",
                    "start the stack with: bin/stackctl up");
        }
    }

    /** No colours: --no-color, NO_COLOR (https://no-color.org), or output that is not a terminal. */
    boolean plain() {
        String noColor = environment().get("NO_COLOR");
        return global.noColor || (noColor != null && !noColor.isEmpty()) || System.console() == null;
    }

    /** Asks on stderr and reads one line from stdin; only "yes" goes on (no terminal, no answer: no). */
    boolean confirm(String question) {
        err().print(question);
        err().flush();
        try {
            String answer = new java.io.BufferedReader(
                            new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.UTF_8))
                    .readLine();
            return answer != null && answer.strip().equalsIgnoreCase("yes");
        } catch (java.io.IOException e) {
            return false;
        }
    }

    void progress(String format, Object... args) {
        err().printf(format + "%n", args);
        err().flush();
    }
}
