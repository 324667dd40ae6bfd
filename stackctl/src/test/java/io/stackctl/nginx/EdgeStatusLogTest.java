package io.stackctl.nginx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackctl.core.StackctlException;
import io.stackctl.fakes.RecordingEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EdgeStatusLogTest {

    private static final String IMAGE = "stackctl-offline/nginx:1.22";

    @TempDir
    Path dir;

    @Test
    void writtenWithTheProfileGoneWithoutItAndAReloadUntilNginxLoadedIt() throws Exception {
        var log = new EdgeStatusLog(dir.resolve("monitoring"));
        Path file = dir.resolve("monitoring").resolve(EdgeStatusLog.FILE);
        assertThat(log.set(false, EdgeStatusLog.Source.LOG))
                .as("off, and never loaded")
                .isFalse();
        assertThat(log.set(true, EdgeStatusLog.Source.LOG))
                .as("on: written, to load")
                .isTrue();
        assertThat(Files.readString(file))
                .contains("access_log /run/edge/edge-$edge_status_slot.log edge_status if=$edge_status_counted;")
                .contains("/nginx-health 0;");
        assertThat(log.set(true, EdgeStatusLog.Source.LOG))
                .as("on again, a command killed before the reload: still to load")
                .isTrue();
        log.loaded();
        assertThat(log.set(true, EdgeStatusLog.Source.LOG))
                .as("on again once loaded: no reload")
                .isFalse();
        assertThat(log.set(true, EdgeStatusLog.Source.NGINX))
                .as("the other source: a reload")
                .isTrue();
        assertThat(Files.readString(file)).contains("log_by_lua_block").doesNotContain("access_log");
        log.loaded();
        assertThat(log.set(false, EdgeStatusLog.Source.NGINX))
                .as("off: removed, to load")
                .isTrue();
        assertThat(file).doesNotExist();
        log.loaded();
        assertThat(log.set(false, EdgeStatusLog.Source.NGINX))
                .as("off once loaded")
                .isFalse();
    }

    @Test
    void autoCountsInNginxWhenItsImageHasTheLuaModuleAndLogsOtherwise() {
        var engine = new RecordingEngine("taskmanager");
        assertThat(EdgeStatusLog.choose("auto", IMAGE, engine))
                .as("no label (the official image, or one not pulled yet)")
                .isEqualTo(EdgeStatusLog.Source.LOG);
        engine.imageLabels.put(IMAGE + " " + EdgeStatusLog.LUA_LABEL, "lua-nginx-module");
        assertThat(EdgeStatusLog.choose("", IMAGE, engine)).isEqualTo(EdgeStatusLog.Source.NGINX);
        assertThat(EdgeStatusLog.choose("Log", IMAGE, engine))
                .as("asked for, whatever the image")
                .isEqualTo(EdgeStatusLog.Source.LOG);
        assertThat(EdgeStatusLog.choose("nginx", "nginx:1.27", engine)).isEqualTo(EdgeStatusLog.Source.NGINX);
    }

    @Test
    void anythingElseIsRefusedNamingTheSettingAndItsValues() {
        assertThatThrownBy(() -> EdgeStatusLog.validate("lua"))
                .isInstanceOf(StackctlException.class)
                .hasMessageContaining("EDGE_COUNTS is 'lua', not auto, nginx or log")
                .satisfies(e -> assertThat(((StackctlException) e).exitCode()).isEqualTo(2));
        EdgeStatusLog.validate(" auto ");
        EdgeStatusLog.validate("NGINX");
    }

    @Test
    void theLineFormatIsTheOneEdgeMtailReads() throws Exception {
        assertThat(mtailProgram())
                .contains("/^(?P<status>\\d{3}) (?P<request_time>\\d+\\.\\d+) (?P<upstream_status>.+)$/");
        assertThat(EdgeStatusLog.Source.LOG.content())
                .contains("log_format edge_status '$status $request_time $upstream_status';");
    }

    /** Rules, dashboards and tests read one set of series, whichever source counts. */
    @Test
    void nginxsOwnCountsAreTheSeriesAndBucketsMtailExports() throws Exception {
        String program = mtailProgram();
        String counts = EdgeStatusLog.Source.NGINX.content();
        assertThat(program).contains("counter nginx_http_requests_total by status, answered_by");
        assertThat(counts)
                .contains("nginx_http_requests_total{status=\"%s\",answered_by=\"%s\"}")
                .contains("{\"c \" .. status .. \" nginx\", \"c \" .. status .. \" upstream\"}")
                .as("a worker's counts reach the shared ones each second, and as it goes")
                .contains("ngx.timer.every(1, require(\"stackctl.edge\").tick)")
                .contains("edge.flush()\n        if not premature");
        var matcher = Pattern.compile("buckets ([0-9., ]+)").matcher(program);
        assertThat(matcher.find()).isTrue();
        List<String> buckets = List.of(matcher.group(1).strip().split(",\\s*"));
        assertThat(buckets).hasSize(13);
        List<String> written = new ArrayList<>();
        var bound = Pattern.compile("\"([0-9.]+)\"").matcher(counts.substring(counts.indexOf("local bounds")));
        while (written.size() < buckets.size() && bound.find()) {
            written.add(bound.group(1));
        }
        assertThat(written).as("the le labels nginx writes").isEqualTo(buckets);
        for (int i = 0; i < buckets.size(); i++) {
            assertThat(counts)
                    .as("a request of at most %s s counts in bucket %d", buckets.get(i), i + 1)
                    .contains("t <= " + buckets.get(i) + " then b = " + (i + 1));
        }
        assertThat(counts).contains("else b = " + (buckets.size() + 1) + " end");
    }

    private static String mtailProgram() throws Exception {
        return Files.readString(Path.of("..", "compose", "monitoring", "edge.mtail"));
    }
}
