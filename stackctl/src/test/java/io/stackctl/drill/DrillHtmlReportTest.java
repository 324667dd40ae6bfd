package io.stackctl.drill;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DrillHtmlReportTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    /** 15 s of load at 50 req/s; from 5 s to 10 s a third of the requests fail and take 900 ms. */
    private static DrillResult drill() {
        List<Sample> samples = new ArrayList<>();
        for (long at = 0; at < 15_000; at += 20) {
            boolean fault = at >= 5_000 && at < 10_000;
            boolean fails = fault && at % 60 == 0;
            samples.add(new Sample(
                    at,
                    fault ? 900 : 4,
                    "read",
                    true,
                    fails ? 503 : 200,
                    "a1",
                    "cache",
                    0,
                    false,
                    fails ? "database unavailable" : "",
                    0));
        }
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("fault", "partition <db>");
        return DrillResult.of(
                "db-partition",
                List.of(Hypothesis.check("0 failed requests", false, "84 failed")),
                Map.of(),
                figures,
                samples,
                5_000,
                10_000);
    }

    @Test
    void theTimelineShowsTheFaultInItsBuckets() {
        var timeline = drill().timeline();
        var before = timeline.buckets().get(2);
        var during = timeline.buckets().get(14);
        assertThat(before.requestsPerSecond()).isEqualTo(50.0);
        assertThat(before.errorPercent()).isZero();
        assertThat(during.errorPercent()).isBetween(30.0, 36.0);
        assertThat(during.p99Ms()).isEqualTo(900);
        assertThat(timeline.buckets()).hasSize(30);
    }

    @Test
    void thePageShadesTheFaultWindowAndEscapesWhatItQuotes() {
        String html = DrillHtmlReport.render(List.of(drill()), "drills <run>");

        // 15 s over 692 px: the fault from 5 s to 10 s starts a third of the way in and spans a third.
        assertThat(html)
                .contains("<rect class=\"fault\" data-from-ms=\"5000\" data-to-ms=\"10000\" x=\"286.7\"")
                .contains("width=\"230.7\"");
        assertThat(html)
                .contains("partition &lt;db&gt;")
                .contains("drills &lt;run&gt;")
                .doesNotContain("<db>");
        assertThat(html).contains("FAIL").contains("0 failed requests").contains("class=\"failed\"");
        assertThat(html).doesNotContain("http://").doesNotContain("https://").doesNotContain("<script");
    }

    /** Headless Chromium renders the page: the fault band's tint is on screen where the window says, nowhere else. */
    @Test
    void chromiumDrawsTheFaultWindow(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM), "no chromium (apt-get install chromium): skipped");
        Path page = dir.resolve("report.html");
        Files.writeString(page, DrillHtmlReport.render(List.of(drill()), "drills"));
        Path shot = dir.resolve("shot.png");
        var process = new ProcessBuilder(
                        CHROMIUM.toString(),
                        "--headless=new",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-dev-shm-usage",
                        "--disable-background-networking",
                        "--disable-component-update",
                        "--no-first-run",
                        "--hide-scrollbars",
                        "--force-device-scale-factor=1",
                        "--user-data-dir=" + dir.resolve("profile"),
                        "--window-size=900,700",
                        "--screenshot=" + shot,
                        page.toUri().toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("chromium.log").toFile())
                .start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS))
                .as("chromium finished")
                .isTrue();
        assertThat(shot).as(Files.readString(dir.resolve("chromium.log"))).exists();
        BufferedImage image = ImageIO.read(shot.toFile());

        int tintedRows = 0;
        int tintedOutside = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            int left = -1;
            int right = -1;
            for (int x = 0; x < image.getWidth(); x++) {
                if (isFaultTint(image.getRGB(x, y))) {
                    left = left < 0 ? x : left;
                    right = x;
                }
            }
            if (right - left > 200) {
                tintedRows++;
                // the band is 231 px wide and starts 287 px into the chart (plus the page's margin and border)
                if (left < 287 || right > 287 + 231 + 40) {
                    tintedOutside++;
                }
            }
        }
        assertThat(tintedRows).as("rows crossed by the fault band").isGreaterThan(200);
        assertThat(tintedOutside).as("rows tinted outside the window").isZero();
    }

    /** #e53935 at 14% over the chart's #fbfcfe: about (248, 225, 226). */
    private static boolean isFaultTint(int rgb) {
        int r = (rgb >> 16) & 0xff;
        int g = (rgb >> 8) & 0xff;
        int b = rgb & 0xff;
        return r >= 240 && g >= 212 && g <= 236 && b >= 212 && b <= 236 && r - g >= 12;
    }
}
