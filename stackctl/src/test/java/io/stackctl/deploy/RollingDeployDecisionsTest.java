package io.stackctl.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackctl.client.ApiAccess;
import io.stackctl.engine.ServiceContainer;
import io.stackctl.fakes.FakeNginx;
import io.stackctl.fakes.FakeStacks;
import io.stackctl.fakes.RecordingEngine;
import io.stackctl.stack.Stack;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rolling deploy's decisions against a recording engine: a new replica joins nginx only once it answers /ready,
 * an old one leaves nginx before it is stopped, and a release that never gets ready leaves the old ones serving.
 * nginx's own answers (the error watch) come from a local server that answers 200.
 */
class RollingDeployDecisionsTest {

    @TempDir
    Path root;

    private RecordingEngine engine;
    private Stack stack;
    private FakeNginx nginx;

    @BeforeEach
    void stack() throws Exception {
        engine = RecordingEngine.running("shop", 2);
        stack = FakeStacks.open(root, engine);
        nginx = new FakeNginx();
        engine.declaredImage = "sha256:new";
        engine.declaredConfig = "config-new";
    }

    @AfterEach
    void stopNginx() {
        nginx.close();
    }

    private ErrorWatch watch() {
        return ErrorWatch.start(new ApiAccess(nginx.url(), Optional.empty()));
    }

    private RollingDeploy.Target declared() {
        return new RollingDeploy.Target(stack.compose(), "sha256:new", Set.of("config-new"));
    }

    private static RollingDeploy.Options options(Duration readyTimeout) {
        return new RollingDeploy.Options(1, readyTimeout, 0.01, 3, false);
    }

    private String upstream() throws Exception {
        return Files.readString(stack.files().upstreamFile());
    }

    @Test
    void eachReplicaIsReplacedStartFirstAndLeavesNginxBeforeItStops() throws Exception {
        try (var watch = watch()) {
            var replaced = new RollingDeploy(stack, new PrintWriter(new StringWriter()))
                    .roll(declared(), options(Duration.ofSeconds(20)), watch);

            assertThat(replaced).containsExactly("shop_app_1", "shop_app_2");
            assertThat(watch.failed()).isZero();
        }
        assertThat(stack.replicas())
                .extracting(ServiceContainer::name, ServiceContainer::imageId)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("shop_app_3", "sha256:new"),
                        org.assertj.core.groups.Tuple.tuple("shop_app_4", "sha256:new"));
        assertThat(upstream()).contains("10.0.0.13", "10.0.0.14").doesNotContain("10.0.0.11", "10.0.0.12");
        assertThat(engine.indexOf("compose scale app=3"))
                .as("start first: the new replica starts before the old one goes")
                .isLessThan(engine.indexOf("stop shop_app_1"));
        assertThat(engine.indexOf("ready? shop_app_3: 200"))
                .as("the new replica answered /ready before nginx was reloaded to it")
                .isLessThan(engine.indexOf("exec shop_nginx_1: nginx -s reload"));
        assertThat(engine.indexOf("exec shop_nginx_1: nginx -s reload"))
                .as("the old replica left nginx before it was stopped")
                .isLessThan(engine.indexOf("stop shop_app_1"));
    }

    @Test
    void aReleaseThatNeverGetsReadyLeavesTheOldReplicasServingUntouched() throws Exception {
        engine.answersReady = replica -> replica.imageId().equals("sha256:old");

        try (var watch = watch()) {
            assertThatThrownBy(() -> new RollingDeploy(stack, new PrintWriter(new StringWriter()))
                            .roll(declared(), options(Duration.ofSeconds(2)), watch))
                    .isInstanceOfSatisfying(
                            RollingDeploy.RolloutFailed.class,
                            e -> assertThat(e.started())
                                    .extracting(ServiceContainer::name)
                                    .containsExactly("shop_app_3"))
                    .hasMessageContaining("shop_app_3 did not answer /ready within 2 s");
        }
        assertThat(engine.log)
                .noneMatch(line -> line.startsWith("stop shop_app_1") || line.startsWith("stop shop_app_2"));
        assertThat(engine.log).noneMatch(line -> line.startsWith("exec shop_nginx_1"));
        assertThat(stack.replicas()).extracting(ServiceContainer::name).contains("shop_app_1", "shop_app_2");
    }

    @Test
    void theNextBatchStartsWhileTheBatchBeforeDrainsAndComposeNeverCountsUnderAStop() throws Exception {
        try (var watch = watch()) {
            new RollingDeploy(stack, new PrintWriter(new StringWriter()))
                    .roll(declared(), options(Duration.ofSeconds(20)), watch);
        }
        assertThat(engine.indexOf("compose scale app=4"))
                .as("the second batch starts before the first batch's old replica is stopped")
                .isLessThan(engine.indexOf("stop shop_app_1"));
        assertThat(engine.indexOf("stop shop_app_1"))
                .as("a replica is stopped only after it left nginx")
                .isGreaterThan(engine.indexOf("exec shop_nginx_1: nginx -s reload"));
        assertThat(engine.log.stream().filter(line -> line.startsWith("compose scale")))
                .as("one scale a batch: compose never ran while a replica was being removed under its count")
                .containsExactly("compose scale app=3", "compose scale app=4");
        assertThat(stack.replicas())
                .as("the last batch's old replica is stopped before the roll returns")
                .extracting(ServiceContainer::name)
                .containsExactly("shop_app_3", "shop_app_4");
    }

    @Test
    void aBatchThatNeverGetsReadyStillStopsTheReplicaTheBatchBeforeReplaced() throws Exception {
        engine.answersReady = replica -> !replica.name().equals("shop_app_4");

        try (var watch = watch()) {
            assertThatThrownBy(() -> new RollingDeploy(stack, new PrintWriter(new StringWriter()))
                            .roll(declared(), options(Duration.ofSeconds(3)), watch))
                    .isInstanceOfSatisfying(
                            RollingDeploy.RolloutFailed.class,
                            e -> assertThat(e.started())
                                    .extracting(ServiceContainer::name)
                                    .containsExactly("shop_app_4"));
        }
        assertThat(stack.replicas())
                .as("app_1 was replaced by app_3 and is gone; app_2 still serves; app_4 is the caller's to undo")
                .extracting(ServiceContainer::name)
                .containsExactly("shop_app_2", "shop_app_3", "shop_app_4");
        assertThat(upstream()).contains("10.0.0.12", "10.0.0.13").doesNotContain("10.0.0.11", "10.0.0.14");
    }

    @Test
    void aBatchItsGateFailsPutsItsOldReplicaBackInNginxStillRunning() throws Exception {
        BatchGate failing = (fresh, whileWaiting) -> {
            throw new RollingDeploy.RolloutFailed(
                    "metric analysis failed: " + fresh.get(0).name() + " 5% 5xx");
        };

        try (var watch = watch()) {
            assertThatThrownBy(() -> new RollingDeploy(stack, new PrintWriter(new StringWriter()))
                            .roll(declared(), options(Duration.ofSeconds(20)), watch, failing))
                    .isInstanceOfSatisfying(RollingDeploy.RolloutFailed.class, e -> {
                        assertThat(e).hasMessageContaining("shop_app_3 5% 5xx");
                        assertThat(e.started())
                                .extracting(ServiceContainer::name)
                                .containsExactly("shop_app_3");
                    });
        }
        assertThat(engine.log)
                .as("the judged batch's old replica was never stopped")
                .doesNotContain("stop shop_app_1");
        assertThat(stack.replicas())
                .as("the second batch never started; app_3 is the caller's to remove")
                .extracting(ServiceContainer::name)
                .containsExactly("shop_app_1", "shop_app_2", "shop_app_3");
        assertThat(upstream()).as("app_1 serves again").contains("10.0.0.11", "10.0.0.12");
    }
}
