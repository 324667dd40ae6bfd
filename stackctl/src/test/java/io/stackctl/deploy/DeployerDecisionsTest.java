package io.stackctl.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import io.stackctl.engine.ServiceContainer;
import io.stackctl.fakes.FakeNginx;
import io.stackctl.fakes.FakeStacks;
import io.stackctl.fakes.RecordingEngine;
import io.stackctl.stack.Stack;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a deploy decides when it meets the unexpected, against a recording engine: a release that never gets ready, and
 * what a deploy killed mid-rollout left behind.
 */
class DeployerDecisionsTest {

    @TempDir
    Path root;

    private RecordingEngine engine;
    private Stack stack;
    private ReleaseHistory history;
    private FakeNginx nginx;

    @BeforeEach
    void twoReplicasOnR1() {
        nginx = new FakeNginx();
        engine = RecordingEngine.running("shop", 2);
        engine.declaredImage = "sha256:new";
        engine.declaredConfig = "config-new";
        stack = FakeStacks.open(
                root,
                engine,
                Map.of("AUTH_MODE", "off", "STACK_TLS", "off", "STACK_HTTP_PORT", Integer.toString(nginx.port())));
        stack.desiredReplicas().set(2);
        history = new ReleaseHistory(stack.files().releasesDir(), "shop");
        history.add(Releases.release(1, "sha256:old", "config-old", Release.Status.active), "");
    }

    @AfterEach
    void stopNginx() {
        nginx.close();
    }

    /**
     * A deploy killed mid-rollout left three replicas where two are configured, one of them already on the new
     * release. The next deploy marks that release interrupted, removes the surplus (an old one: the new one is what
     * it wants), then rolls the rest over.
     */
    @Test
    void theNextDeployRepairsWhatAKilledDeployLeftThenFinishesTheRollout() {
        engine.add("app", 3); // the batch the killed deploy had started
        history.add(Releases.release(2, "sha256:new", "config-new", Release.Status.deploying), "");

        var result = new Deployer(stack, new PrintWriter(new StringWriter()))
                .deployDeclared(new RollingDeploy.Options(1, Duration.ofSeconds(20), 0.01, 3, false));

        assertThat(history.all())
                .extracting(Release::id, Release::status)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(1, Release.Status.replaced),
                        org.assertj.core.groups.Tuple.tuple(2, Release.Status.interrupted),
                        org.assertj.core.groups.Tuple.tuple(3, Release.Status.active));
        assertThat(result.replaced()).containsExactly("shop_app_1");
        assertThat(engine.indexOf("stop shop_app_2"))
                .as("the surplus goes first, and it is an old replica, not the new one the deploy wants")
                .isLessThan(engine.indexOf("compose scale app=3"));
        assertThat(engine.log).noneMatch(line -> line.equals("stop shop_app_3"));
        assertThat(stack.replicas())
                .extracting(ServiceContainer::name, ServiceContainer::imageId)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("shop_app_3", "sha256:new"),
                        org.assertj.core.groups.Tuple.tuple("shop_app_4", "sha256:new"));
    }

    /**
     * Killed later in its batch, a deploy has also marked an old replica out of rotation to drain it. The rollback that
     * repairs it keeps that replica (it runs the release wanted), so it must serve again at once: the agent honours a
     * mark until it expires, and CI's health failed right after the repair with the replica "not in nginx's upstream".
     */
    @Test
    void aRollbackAfterADeployKilledWhileDrainingPutsTheDrainedReplicaBackInRotation() throws Exception {
        engine.add("app", 3); // the batch the killed deploy had started, on the new release
        history.add(Releases.release(2, "sha256:new", "config-new", Release.Status.deploying), "");
        var drained = stack.replicas().get(0);
        var marks = new io.stackctl.upstream.DrainMarks(stack.files().upstreamDir());
        marks.mark(java.util.List.of(drained.id()), java.time.Instant.now());

        new Deployer(stack, new PrintWriter(new StringWriter()))
                .rollbackTo(
                        java.util.Optional.empty(),
                        new RollingDeploy.Options(1, Duration.ofSeconds(20), 0.01, 3, false));

        assertThat(engine.log).contains("stop shop_app_3");
        assertThat(stack.replicas()).extracting(ServiceContainer::id).contains(drained.id());
        assertThat(marks.active(java.time.Instant.now())).doesNotContain(drained.id());
    }

    @Test
    void theFailedGateRemovesWhatTheBatchStartedAndLeavesTheOldReleaseServing() {
        engine.answersReady = replica -> replica.imageId().equals("sha256:old");
        var deployer = new Deployer(stack, new PrintWriter(new StringWriter()));

        assertThatThrownBy(() ->
                        deployer.deployDeclared(new RollingDeploy.Options(1, Duration.ofSeconds(2), 0.01, 3, false)))
                .isInstanceOfSatisfying(
                        StackctlException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCodes.CHECK_FAILED))
                .hasMessageContaining("release r2 was rolled back")
                .hasMessageContaining("shop_app_3 did not answer /ready");
        assertThat(history.all())
                .extracting(Release::id, Release::status)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(1, Release.Status.active),
                        org.assertj.core.groups.Tuple.tuple(2, Release.Status.rolled_back));
        assertThat(engine.log).contains("stop shop_app_3");
        assertThat(engine.log).noneMatch(line -> line.equals("stop shop_app_1") || line.equals("stop shop_app_2"));
        assertThat(stack.replicas())
                .extracting(ServiceContainer::name, ServiceContainer::imageId)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("shop_app_1", "sha256:old"),
                        org.assertj.core.groups.Tuple.tuple("shop_app_2", "sha256:old"));
    }
}
