package io.stackctl.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import io.stackctl.fakes.FakeStacks;
import io.stackctl.fakes.RecordingEngine;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where a rollback goes, and what it refuses before it touches a replica, against a recording engine. */
class RollbackDecisionsTest {

    private static final RollingDeploy.Options OPTIONS =
            new RollingDeploy.Options(1, Duration.ofSeconds(30), 0.01, 3, false);

    @TempDir
    Path root;

    private RecordingEngine engine;
    private Deployer deployer;
    private ReleaseHistory history;

    @BeforeEach
    void stack() throws Exception {
        engine = RecordingEngine.running("shop", 1);
        var stack = FakeStacks.open(root, engine);
        deployer = new Deployer(stack, new PrintWriter(new StringWriter()));
        history = new ReleaseHistory(stack.files().releasesDir(), "shop");
    }

    private static Release release(int id, Release.Status status) {
        return Releases.release(id, "sha256:" + Integer.toString(id).repeat(64), "hash" + id, status);
    }

    private void assertNoReplicaTouched() {
        assertThat(engine.log).noneMatch(line -> line.startsWith("stop") || line.startsWith("compose"));
        assertThat(engine.all()).extracting(c -> c.name()).contains("shop_app_1");
    }

    @Test
    void withNoReleaseRecordedThereIsNothingToReturnTo() {
        assertThatThrownBy(() -> deployer.rollbackTo(Optional.empty(), OPTIONS))
                .isInstanceOfSatisfying(
                        StackctlException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCodes.PRECONDITION))
                .hasMessageContaining("nothing to return to");
        assertNoReplicaTouched();
    }

    @Test
    void aReleaseThatIsNotInTheHistoryIsAUsageError() {
        history.add(release(1, Release.Status.active), "A=1\n");

        assertThatThrownBy(() -> deployer.rollbackTo(Optional.of(9), OPTIONS))
                .isInstanceOfSatisfying(
                        StackctlException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCodes.USAGE))
                .hasMessageContaining("r9 is not in the history");
        assertNoReplicaTouched();
    }

    @Test
    void theFirstReleaseThatServedHasNoneBeforeIt() {
        history.add(release(1, Release.Status.rolled_back), "A=1\n");
        history.add(release(2, Release.Status.active), "A=2\n");

        assertThatThrownBy(() -> deployer.rollbackTo(Optional.empty(), OPTIONS))
                .isInstanceOfSatisfying(
                        StackctlException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCodes.PRECONDITION))
                .hasMessageContaining("r2 is the first release that served");
        assertNoReplicaTouched();
    }

    @Test
    void aReleaseWhoseImageIsGoneIsRefusedBeforeAnyReplicaChanges() {
        history.add(release(1, Release.Status.replaced), "A=1\n");
        history.add(release(2, Release.Status.active), "A=2\n");
        engine.images.add("stackctl/taskmanager-app:release-2");

        assertThatThrownBy(() -> deployer.rollbackTo(Optional.empty(), OPTIONS))
                .isInstanceOfSatisfying(
                        StackctlException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCodes.PRECONDITION))
                .hasMessageContaining("the image of r1 (stackctl/taskmanager-app:release-1) is gone");
        assertThat(engine.log).contains("image? stackctl/taskmanager-app:release-1");
        assertNoReplicaTouched();
    }
}
