package io.stackctl.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import io.stackctl.fakes.FakeStacks;
import io.stackctl.fakes.RecordingEngine;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scaler's decisions against a recording engine: who goes, who joins, and in which order nginx learns it. */
class ScalerTest {

    @TempDir
    Path root;

    private RecordingEngine engine;
    private Stack stack;

    @BeforeEach
    void stack() throws Exception {
        engine = RecordingEngine.running("shop", 0);
        stack = FakeStacks.open(root, engine);
    }

    private Scaler scaler() {
        return new Scaler(stack, new PrintWriter(new StringWriter()));
    }

    private String upstream() throws Exception {
        return Files.readString(stack.files().upstreamFile());
    }

    @Test
    void scalingDownDrainsTheNewestReplicasAndTakesThemOutOfNginxBeforeStoppingThem() throws Exception {
        for (int n = 1; n <= 3; n++) {
            engine.add("app", n);
        }

        var change = scaler().scaleTo(1, Duration.ofSeconds(10));

        assertThat(change.before()).isEqualTo(3);
        assertThat(change.after()).isEqualTo(1);
        assertThat(change.removed()).containsExactly("shop_app_2", "shop_app_3");
        assertThat(engine.all())
                .extracting(c -> c.name())
                .contains("shop_app_1")
                .doesNotContain("shop_app_2");
        assertThat(upstream()).contains("10.0.0.11").doesNotContain("10.0.0.12").doesNotContain("10.0.0.13");
        int reload = engine.indexOf("exec shop_nginx_1: nginx -s reload");
        assertThat(reload)
                .as("nginx stops sending to a replica before it is stopped")
                .isLessThan(engine.indexOf("stop shop_app_2"))
                .isLessThan(engine.indexOf("stop shop_app_3"));
        assertThat(engine.indexOf("compose scale app=1"))
                .as("compose only records the new count once the victims are gone")
                .isGreaterThan(engine.indexOf("stop shop_app_3"));
    }

    @Test
    void scalingUpRoutesToNewReplicasOnlyOnceTheyAreHealthy() throws Exception {
        engine.add("app", 1);
        engine.add("app", 2);

        var change = scaler().scaleTo(4, Duration.ofSeconds(30));

        assertThat(change.added()).containsExactly("shop_app_3", "shop_app_4");
        assertThat(upstream()).contains("10.0.0.11", "10.0.0.12", "10.0.0.13", "10.0.0.14");
        int lastReload = lastIndexOf("exec shop_nginx_1: nginx -s reload");
        // Ready: healthy to the engine, or answering /ready asked directly while the engine still says "starting".
        assertThat(lastReload)
                .isGreaterThan(engine.indexOf("ready? shop_app_3: 200"))
                .isGreaterThan(engine.indexOf("ready? shop_app_4: 200"));
        // a JVM starting must not starve the replicas that serve: a new one keeps compose.yaml's quarter weight
        assertThat(engine.log)
                .as("new replicas keep their starting CPU weight")
                .noneMatch(l -> l.startsWith("cpu-shares"));
        assertThat(engine.indexOf("exec shop_db_1: psql"))
                .as("the connection budget is asked before anything starts")
                .isLessThan(engine.indexOf("compose scale app=4"));
    }

    @Test
    void aCountThePoolsCannotFitIsRefusedBeforeAnythingStarts() {
        engine.maxConnections = "40"; // 40 - 3 reserved - 5 for operations = 32: three pools of 10 and no surge room
        engine.add("app", 1);

        assertThatThrownBy(() -> scaler().scaleTo(3, Duration.ofSeconds(10)))
                .isInstanceOfSatisfying(
                        StackctlException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCodes.USAGE))
                .hasMessageContaining("max_connections");
        assertThat(engine.log).noneMatch(line -> line.startsWith("compose"));
        assertThat(engine.all().stream().filter(c -> c.service().equals("app"))).hasSize(1);
    }

    private int lastIndexOf(String prefix) {
        List<String> log = List.copyOf(engine.log);
        for (int i = log.size() - 1; i >= 0; i--) {
            if (log.get(i).startsWith(prefix)) {
                return i;
            }
        }
        throw new AssertionError("never asked '" + prefix + "'; asked: " + log);
    }
}
