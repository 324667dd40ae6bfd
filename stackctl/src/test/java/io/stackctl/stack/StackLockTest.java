package io.stackctl.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StackLockTest {

    @TempDir
    Path locks;

    /** Holds the lock of project "taskmanager" in another process until its stdin closes. */
    public static final class Holder {
        public static void main(String[] args) throws Exception {
            String holder = args.length > 1 ? args[1] : "pid 4242 running 'stackctl scale app=5'";
            try (var lock = StackLock.acquire(Path.of(args[0]), "taskmanager", holder)) {
                System.out.println("locked");
                System.out.flush();
                System.in.read();
            }
        }
    }

    private Process holderProcess() throws Exception {
        return holderProcess("pid 4242 running 'stackctl scale app=5'");
    }

    private Process holderProcess(String holder) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        Holder.class.getName(),
                        locks.toString(),
                        holder)
                .redirectErrorStream(true)
                .start();
        var line = new BufferedReader(new InputStreamReader(process.getInputStream())).readLine();
        assertThat(line).as("the holder took the lock").isEqualTo("locked");
        return process;
    }

    /** Lets the holder go after the given time, from a thread of its own. */
    private static Thread releaseAfter(Process holder, long millis) {
        var release = new Thread(() -> {
            try {
                Thread.sleep(millis);
                holder.getOutputStream().close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        release.start();
        return release;
    }

    @Test
    void aSecondCommandIsRefusedWithExit3NamingTheHolder() throws Exception {
        Process holder = holderProcess();
        try {
            assertThatThrownBy(() -> StackLock.acquire(locks, "taskmanager", "me"))
                    .isInstanceOfSatisfying(
                            StackctlException.class,
                            e -> assertThat(e.exitCode()).isEqualTo(ExitCodes.PRECONDITION))
                    .hasMessageContaining(
                            "locked by another stackctl command: pid 4242 running 'stackctl scale app=5'");
        } finally {
            holder.getOutputStream().close();
            holder.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aCommandThatFindsTheAutoscalerScalingWaitsForItInsteadOfBeingRefused() throws Exception {
        Process holder = holderProcess(StackLock.AUTOSCALER + " in the upstream agent: scaling app 2 -> 4");
        Thread release = releaseAfter(holder, 1500);
        long start = System.nanoTime();
        try (var lock = StackLock.acquire(locks, "taskmanager", "me")) {
            assertThat((System.nanoTime() - start) / 1_000_000)
                    .as("waited for the autoscaler")
                    .isGreaterThan(1000);
            assertThat(locks.resolve("taskmanager.lock")).hasContent("me");
        } finally {
            release.join();
            holder.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aLockWhoseFileNamesNoHolderIsAskedForAgainNotRefusedAtOnce() throws Exception {
        // What a command sees in the instant a holder lets go: the lock still held, the file already emptied. The wait
        // is long here: how soon a holder's JVM lets go after its 100 ms depends on how busy the host is (CI runs these
        // tests beside the end-to-end scenario); refusing at once fails the test however long the wait.
        Process holder = holderProcess("");
        Thread release = releaseAfter(holder, 100);
        try (var lock = StackLock.acquire(locks, "taskmanager", "me", Duration.ofSeconds(30))) {
            assertThat(locks.resolve("taskmanager.lock")).hasContent("me");
        } finally {
            release.join();
            holder.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aLockHeldLongUnderNoNameIsRefusedAfterTheShortWait() throws Exception {
        Process holder = holderProcess("");
        try {
            assertThatThrownBy(() -> StackLock.acquire(locks, "taskmanager", "me"))
                    .hasMessageContaining("(holder unknown)");
        } finally {
            holder.getOutputStream().close();
            holder.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void theAutoscalerTakesTheLockOnlyWhenItIsFree() throws Exception {
        Process holder = holderProcess();
        try {
            assertThat(StackLock.tryAcquire(locks, "taskmanager", StackLock.AUTOSCALER))
                    .isEmpty();
            assertThat(StackLock.holder(locks, "taskmanager")).isEqualTo("pid 4242 running 'stackctl scale app=5'");
        } finally {
            holder.getOutputStream().close();
            holder.waitFor(10, TimeUnit.SECONDS);
        }
        try (var lock =
                StackLock.tryAcquire(locks, "taskmanager", StackLock.AUTOSCALER).orElseThrow()) {
            assertThat(StackLock.holder(locks, "taskmanager")).isEqualTo(StackLock.AUTOSCALER);
        }
        assertThat(StackLock.holder(locks, "taskmanager"))
                .as("free again, emptied")
                .isEmpty();
    }

    @Test
    void theLockIsFreeOnceItsHolderExitsHoweverItExits() throws Exception {
        Process holder = holderProcess();
        holder.destroyForcibly().waitFor(10, TimeUnit.SECONDS);

        try (var lock = StackLock.acquire(locks, "taskmanager", "me")) {
            assertThat(locks.resolve("taskmanager.lock")).hasContent("me");
        }
    }

    @Test
    void projectsLockIndependently() throws Exception {
        Process holder = holderProcess();
        try (var lock = StackLock.acquire(locks, "staging", "me")) {
            assertThat(lock).isNotNull();
        } finally {
            holder.getOutputStream().close();
            holder.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aCommandInTheSameProcessIsRefusedToo() {
        try (var first = StackLock.acquire(locks, "taskmanager", "first")) {
            assertThatThrownBy(() -> StackLock.acquire(locks, "taskmanager", "second"))
                    .hasMessageContaining("first");
        }
    }
}
