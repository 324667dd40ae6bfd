package io.stackctl.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lock between stackctl and the upstream agent, held by a real second process (POSIX locks are per process). */
class UpstreamLockTest {

    @TempDir
    Path dir;

    /** Another process takes the lock the way the agent in its container does, and says who it is. */
    private Process holdInAnotherProcess() throws Exception {
        String script = "import fcntl, sys, time\n"
                + "f = open(sys.argv[1], 'a+')\n"
                + "fcntl.lockf(f, fcntl.LOCK_EX)\n"
                + "f.truncate(0); f.write('pid 4242 on host agent-container: a stuck round'); f.flush()\n"
                + "print('locked', flush=True)\n"
                + "time.sleep(60)\n";
        Process holder = new ProcessBuilder(
                        "python3", "-c", script, dir.resolve(".upstream.lock").toString())
                .redirectErrorStream(true)
                .start();
        var out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).isEqualTo("locked");
        return holder;
    }

    @Test
    void aWaitForTheLockIsBoundedAndNamesWhoHoldsIt() throws Exception {
        Process holder = holdInAnotherProcess();
        try {
            assertThatThrownBy(() -> UpstreamLock.acquire(dir, Duration.ofMillis(300)))
                    .isInstanceOf(StackctlException.class)
                    .hasMessageContaining("has stayed locked")
                    .hasMessageContaining("pid 4242 on host agent-container: a stuck round")
                    .satisfies(
                            e -> assertThat(((StackctlException) e).exitCode()).isEqualTo(ExitCodes.PRECONDITION));
        } finally {
            holder.destroyForcibly();
            holder.waitFor(10, TimeUnit.SECONDS);
        }

        try (var lock = UpstreamLock.acquire(dir, Duration.ofSeconds(10))) {
            assertThat(Files.readString(dir.resolve(".upstream.lock")))
                    .as("the new holder names itself for whoever waits next")
                    .startsWith("pid " + ProcessHandle.current().pid() + " on host ");
        }
    }

    @Test
    void twoThreadsOfOneProcessWaitForEachOtherLikeTwoProcesses() throws Exception {
        // The agent's rounds and its autoscaler share a JVM: a second tryLock there throws instead of returning null,
        // which failed CI's autoscaler ("failed: null") when both reached the upstream at once.
        var released = new java.util.concurrent.CountDownLatch(1);
        var first = UpstreamLock.acquire(dir, Duration.ofSeconds(1));
        var other = new Thread(() -> {
            try (var lock = UpstreamLock.acquire(dir, Duration.ofSeconds(10))) {
                released.countDown();
            }
        });
        long start = System.nanoTime();
        other.start();
        Thread.sleep(300);
        assertThat(released.getCount())
                .as("the second thread waits while the first holds it")
                .isEqualTo(1);
        first.close();
        assertThat(released.await(10, TimeUnit.SECONDS)).as("then takes it").isTrue();
        other.join();
        assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(300);
    }
}
