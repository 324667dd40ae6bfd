package io.stackctl.top;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsTextTest {

    @Test
    void readsSamplesWithAndWithoutLabelsSkippingCommentsAndTimestamps() {
        var samples = MetricsText.parse("""
                # HELP http_requests_total HTTP requests
                # TYPE http_requests_total counter
                http_requests_total{route="/tasks/{id}",method="GET",status="200"} 42.0
                process_start_time_seconds 1.7E9 1712345678000

                http_request_duration_seconds_bucket{route="/tasks",method="GET",le="+Inf"} 7
                """);

        assertThat(samples).hasSize(3);
        assertThat(samples.get(0).name()).isEqualTo("http_requests_total");
        assertThat(samples.get(0).labels()).isEqualTo(Map.of("route", "/tasks/{id}", "method", "GET", "status", "200"));
        assertThat(samples.get(0).value()).isEqualTo(42.0);
        assertThat(samples.get(1).labels()).isEmpty();
        assertThat(samples.get(1).value()).isEqualTo(1.7e9);
        assertThat(samples.get(2).label("le")).isEqualTo("+Inf");
    }

    @Test
    void unescapesLabelValuesAndKeepsSpecialValues() {
        var samples = MetricsText.parse("""
                m{path="a \\"quoted\\" \\\\ value, with } and ,",x="y"} +Inf
                n NaN
                """);

        assertThat(samples.get(0).label("path")).isEqualTo("a \"quoted\" \\ value, with } and ,");
        assertThat(samples.get(0).label("x")).isEqualTo("y");
        assertThat(samples.get(0).value()).isInfinite();
        assertThat(samples.get(1).value()).isNaN();
    }

    @Test
    void namesTheLineThatIsNotASample() {
        assertThatThrownBy(() -> MetricsText.parse("ok 1\nbroken{route=\"/x\" 3\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("line 2")
                .hasMessageContaining("broken{route");
        assertThatThrownBy(() -> MetricsText.parse("lonely_name\n")).hasMessageContaining("no value");
        assertThatThrownBy(() -> MetricsText.parse("m 12abc\n")).hasMessageContaining("line 1");
    }
}
