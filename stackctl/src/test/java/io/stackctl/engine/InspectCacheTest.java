package io.stackctl.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Container;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class InspectCacheTest {

    private static final ObjectMapper JSON =
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final AtomicLong now = new AtomicLong();
    private final AtomicInteger inspects = new AtomicInteger();
    private final InspectCache cache = new InspectCache(now::get);

    @Test
    void aListingThatSaysNothingChangedReusesTheInspection() throws Exception {
        var first = cache.get(listed("running", "Up 2 minutes (healthy)", "172.23.0.4"), this::inspect);
        now.addAndGet(1_000_000_000L);
        var second = cache.get(listed("running", "Up 2 minutes (healthy)", "172.23.0.4"), this::inspect);

        assertThat(second).isSameAs(first);
        assertThat(inspects).hasValue(1);
    }

    @Test
    void aHealthChangeARestartOrANewAddressInspectsAgain() throws Exception {
        cache.get(listed("running", "Up 2 minutes (healthy)", "172.23.0.4"), this::inspect);
        cache.get(listed("running", "Up 2 minutes (unhealthy)", "172.23.0.4"), this::inspect);
        cache.get(listed("running", "Up Less than a second (health: starting)", "172.23.0.4"), this::inspect);
        cache.get(listed("running", "Up Less than a second (health: starting)", "172.23.0.9"), this::inspect);
        cache.get(listed("exited", "Exited (137) 1 second ago", "172.23.0.9"), this::inspect);

        assertThat(inspects).hasValue(5);
    }

    @Test
    void anInspectionIsNeverReusedPastItsBound() throws Exception {
        cache.get(listed("running", "Up 2 minutes (healthy)", "172.23.0.4"), this::inspect);
        now.addAndGet(InspectCache.REUSE.toNanos());
        cache.get(listed("running", "Up 2 minutes (healthy)", "172.23.0.4"), this::inspect);

        assertThat(inspects).hasValue(2);
    }

    @Test
    void containersLongGoneAreForgotten() throws Exception {
        cache.get(listed("c1", "running", "Up 2 minutes", "172.23.0.4"), this::inspect);
        now.addAndGet(InspectCache.REUSE.toNanos());
        cache.get(listed("c2", "running", "Up 2 minutes", "172.23.0.5"), this::inspect);

        assertThat(cache.size()).isEqualTo(1);
    }

    private InspectContainerResponse inspect(String id) {
        inspects.incrementAndGet();
        return new InspectContainerResponse();
    }

    private static Container listed(String state, String status, String ip) throws Exception {
        return listed("c1", state, status, ip);
    }

    private static Container listed(String id, String state, String status, String ip) throws Exception {
        return JSON.readValue("""
                {"Id": "%s", "Names": ["/taskmanager_app_1"], "ImageID": "sha256:1", "State": "%s", "Status": "%s",
                 "NetworkSettings": {"Networks": {"taskmanager_frontend": {"IPAddress": "%s"}}}}
                """.formatted(id, state, status, ip), Container.class);
    }
}
