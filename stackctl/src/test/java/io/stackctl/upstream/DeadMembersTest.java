package io.stackctl.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.stackctl.fakes.RecordingEngine;
import io.stackctl.nginx.UpstreamRenderer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A replica that died leaves nginx's upstream at the next look, without waiting for the others' probes. */
class DeadMembersTest {

    @TempDir
    Path upstreamDir;

    private RecordingEngine engine;

    /** A stack of {@code replicas} healthy replicas, every one in nginx's upstream. */
    private UpstreamSync routed(int replicas) {
        engine = RecordingEngine.running("shop", replicas);
        var sync = new UpstreamSync(engine, "shop", upstreamDir);
        sync.route(engine.containers("shop", "app"));
        return sync;
    }

    @Test
    void aMemberThatDiedIsOutBeforeAnyReplicaIsProbed() {
        var sync = routed(3);
        engine.exited("app", 2);

        List<List<String>> membersWhileProbing = new ArrayList<>();
        sync.reconcile(replica -> {
            membersWhileProbing.add(sync.members());
            return true;
        });

        assertThat(membersWhileProbing)
                .hasSize(2)
                .allSatisfy(members -> assertThat(members).containsExactly("10.0.0.11", "10.0.0.13"));
        assertThat(sync.members()).containsExactly("10.0.0.11", "10.0.0.13");
    }

    @Test
    void aReplicaReportedDeadLeavesByNameWithNoLookAtTheEngine() {
        var sync = routed(3);
        int asked = engine.log.size();

        assertThat(sync.dropDead(Set.of("shop_app_2")))
                .extracting(UpstreamRenderer.Member::name)
                .containsExactly("shop_app_1", "shop_app_3");

        assertThat(sync.members()).containsExactly("10.0.0.11", "10.0.0.13");
        assertThat(engine.log.subList(asked, engine.log.size()))
                .as("only nginx asked: its check and reload")
                .allMatch(line -> line.startsWith("exec shop_nginx_1: nginx"))
                .isNotEmpty();
        assertThat(sync.dropDead(Set.of("shop_app_2"))).as("already out").isEmpty();
        assertThat(sync.dropDead(Set.of("shop_app_1", "shop_app_3")))
                .as("never to an empty upstream")
                .isEmpty();
        assertThat(sync.members()).containsExactly("10.0.0.11", "10.0.0.13");
    }

    @Test
    void withEveryMemberDeadTheUpstreamKeepsWhatItHas() {
        var sync = routed(2);
        engine.exited("app", 1);
        engine.exited("app", 2);

        assertThat(sync.reconcile(replica -> true)).isEmpty();
        assertThat(sync.members()).containsExactly("10.0.0.11", "10.0.0.12");
    }

    @Test
    void aRoundWithNothingGoneReloadsNothing() {
        var sync = routed(2);
        int asked = engine.log.size();

        assertThat(sync.reconcile(replica -> true)).isEmpty();
        assertThat(engine.log.subList(asked, engine.log.size())).noneMatch(line -> line.contains("nginx"));
    }
}
