package io.stackctl.nginx;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class UpstreamRendererTest {

    @Test
    void rendersOneServerPerReplicaWithPassiveHealth() {
        String rendered = UpstreamRenderer.render(
                "taskmanager",
                List.of(
                        new UpstreamRenderer.Member("app-1", "172.20.0.3"),
                        new UpstreamRenderer.Member("app-2", "172.20.0.4")));

        assertThat(rendered)
                .contains("server 172.20.0.3:8080 max_fails=2 fail_timeout=10s; # app-1\n")
                .contains("server 172.20.0.4:8080 max_fails=2 fail_timeout=10s; # app-2\n")
                .contains("2 replicas");
    }

    @Test
    void membersReadBackWhatWasRendered() {
        String rendered = UpstreamRenderer.render(
                "p",
                List.of(new UpstreamRenderer.Member("a", "10.0.0.1"), new UpstreamRenderer.Member("b", "10.0.0.2")));

        assertThat(UpstreamRenderer.members(rendered)).containsExactly("10.0.0.1", "10.0.0.2");
    }

    @Test
    void noReplicaStillGivesNginxALoadableUpstreamWithNoMember() {
        String rendered = UpstreamRenderer.render("p", List.of());

        assertThat(rendered).contains("server 127.0.0.1:9 down;");
        assertThat(UpstreamRenderer.members(rendered)).isEmpty();
    }

    @Test
    void theDnsFallbackIsNotMistakenForAnAddress() {
        assertThat(UpstreamRenderer.members("server app:8080 max_fails=2 fail_timeout=10s;\n"))
                .containsExactly("app");
    }
}
