package io.stackctl.drill;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * One self-contained page for a run of drills (no script or style from anywhere else, as Gatling's report): per
 * drill, its verdict, requests per second, error % and p99 over time with the fault window shaded, the hypotheses
 * and the figures. Opened in a browser from the results folder; nothing is fetched.
 */
public final class DrillHtmlReport {

    static final int WIDTH = 760;
    static final int PANEL_HEIGHT = 110;
    static final int LEFT = 56;
    static final int RIGHT = 12;

    private DrillHtmlReport() {}

    public static String render(List<DrillResult> results, String heading) {
        var html = new StringBuilder();
        html.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>")
                .append(escape(heading))
                .append("</title><style>")
                .append("body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1d2330;max-width:820px}")
                .append("h1{font-size:20px}h2{font-size:17px;margin-top:32px}")
                .append(".passed{color:#1a7f37}.failed{color:#c62828}")
                .append("table{border-collapse:collapse;margin:8px 0}td,th{padding:3px 8px;text-align:left;")
                .append("border-bottom:1px solid #e3e6ec;vertical-align:top}")
                .append("svg{display:block;background:#fbfcfe;border:1px solid #e3e6ec}")
                .append(".fault{fill:#e53935;fill-opacity:.14}.axis{stroke:#9aa3b2;stroke-width:1}")
                .append(".rps{stroke:#1f6feb}.err{stroke:#c62828}.p99{stroke:#8250df}")
                .append("polyline{fill:none;stroke-width:1.6}text{font-size:11px;fill:#4a5263}")
                .append(".legend span{display:inline-block;margin-right:14px}")
                .append("</style></head><body>\n<h1>")
                .append(escape(heading))
                .append("</h1>\n");
        long passed = results.stream().filter(DrillResult::passed).count();
        html.append("<p>")
                .append(passed)
                .append(" passed, ")
                .append(results.size() - passed)
                .append(" failed. ")
                .append("The shaded band is the fault, from its injection until the stack had recovered.</p>\n");
        for (DrillResult result : results) {
            section(html, result);
        }
        return html.append("</body></html>\n").toString();
    }

    private static void section(StringBuilder html, DrillResult result) {
        String verdict = result.passed() ? "passed" : "failed";
        html.append("<section class=\"drill\" data-drill=\"")
                .append(escape(result.drill()))
                .append("\">")
                .append("<h2>")
                .append(escape(result.drill()))
                .append(" <span class=\"")
                .append(verdict)
                .append("\">")
                .append(verdict.toUpperCase(Locale.ROOT))
                .append("</span></h2>\n");
        chart(html, result.timeline());
        html.append("<table><tr><th></th><th>hypothesis</th><th>measured</th></tr>\n");
        for (Hypothesis h : result.hypotheses()) {
            html.append("<tr><td class=\"")
                    .append(h.held() ? "passed" : "failed")
                    .append("\">")
                    .append(h.held() ? "PASS" : "FAIL")
                    .append("</td><td>")
                    .append(escape(h.claim()))
                    .append("</td><td>")
                    .append(escape(h.measured()))
                    .append("</td></tr>\n");
        }
        html.append("</table>\n<table>");
        for (Map.Entry<String, Object> figure : result.figures().entrySet()) {
            html.append("<tr><th>")
                    .append(escape(figure.getKey()))
                    .append("</th><td>")
                    .append(escape(String.valueOf(figure.getValue())))
                    .append("</td></tr>");
        }
        html.append("</table>\n");
        if (!result.failures().isEmpty()) {
            html.append("<p>First failed requests (ms since the load started):</p><ul>");
            result.failures().forEach(f -> html.append("<li>").append(escape(f)).append("</li>"));
            html.append("</ul>\n");
        }
        html.append("</section>\n");
    }

    /** Three panels over one time axis, the fault window shaded across all of them. */
    static void chart(StringBuilder html, Timeline timeline) {
        var buckets = timeline.buckets();
        double spanMs = Math.max(1, buckets.size() * (double) timeline.bucketMs());
        double plotWidth = WIDTH - LEFT - RIGHT;
        int height = 3 * PANEL_HEIGHT + 24;
        html.append("<p class=\"legend\"><span class=\"rps-label\">requests/s</span>")
                .append("<span class=\"err-label\">error %</span><span class=\"p99-label\">p99 ms</span></p>")
                .append("<svg role=\"img\" aria-label=\"requests per second, error % and p99 over time\" width=\"")
                .append(WIDTH)
                .append("\" height=\"")
                .append(height)
                .append("\" viewBox=\"0 0 ")
                .append(WIDTH)
                .append(' ')
                .append(height)
                .append("\">");
        if (timeline.recoveredAtMs() > timeline.faultAtMs()) {
            double x = LEFT + plotWidth * timeline.faultAtMs() / spanMs;
            double w = Math.max(1, plotWidth * (timeline.recoveredAtMs() - timeline.faultAtMs()) / spanMs);
            html.append("<rect class=\"fault\" data-from-ms=\"")
                    .append(timeline.faultAtMs())
                    .append("\" data-to-ms=\"")
                    .append(timeline.recoveredAtMs())
                    .append("\" x=\"")
                    .append(fmt(x))
                    .append("\" y=\"0\" width=\"")
                    .append(fmt(w))
                    .append("\" height=\"")
                    .append(3 * PANEL_HEIGHT)
                    .append("\"><title>fault ")
                    .append(timeline.faultAtMs())
                    .append("-")
                    .append(timeline.recoveredAtMs())
                    .append(" ms</title></rect>");
            html.append("<text x=\"").append(fmt(x + 3)).append("\" y=\"12\">fault</text>");
        }
        panel(html, buckets, 0, "rps", "req/s", Timeline.Bucket::requestsPerSecond, spanMs, timeline.bucketMs());
        panel(html, buckets, 1, "err", "error %", Timeline.Bucket::errorPercent, spanMs, timeline.bucketMs());
        panel(html, buckets, 2, "p99", "p99 ms", b -> b.p99Ms(), spanMs, timeline.bucketMs());
        for (int s = 0; s <= spanMs / 1000; s += 5) {
            double x = LEFT + plotWidth * s * 1000 / spanMs;
            html.append("<text x=\"")
                    .append(fmt(x))
                    .append("\" y=\"")
                    .append(3 * PANEL_HEIGHT + 16)
                    .append("\" text-anchor=\"middle\">")
                    .append(s)
                    .append(" s</text>");
        }
        html.append("</svg>\n");
    }

    private static void panel(
            StringBuilder html,
            List<Timeline.Bucket> buckets,
            int index,
            String css,
            String label,
            ToDoubleFunction<Timeline.Bucket> value,
            double spanMs,
            long bucketMs) {
        double top = index * PANEL_HEIGHT + 8;
        double bottom = (index + 1) * PANEL_HEIGHT - 8;
        double max = buckets.stream().mapToDouble(value).max().orElse(0);
        double scale = max <= 0 ? 1 : max;
        double plotWidth = WIDTH - LEFT - RIGHT;
        html.append("<line class=\"axis\" x1=\"")
                .append(LEFT)
                .append("\" x2=\"")
                .append(WIDTH - RIGHT)
                .append("\" y1=\"")
                .append(fmt(bottom))
                .append("\" y2=\"")
                .append(fmt(bottom))
                .append("\"/>")
                .append("<text x=\"4\" y=\"")
                .append(fmt(top + 10))
                .append("\">")
                .append(escape(label))
                .append("</text><text x=\"4\" y=\"")
                .append(fmt(top + 24))
                .append("\">max ")
                .append(fmt(max))
                .append("</text><polyline class=\"")
                .append(css)
                .append("\" points=\"");
        for (var bucket : buckets) {
            double x = LEFT + plotWidth * (bucket.atMs() + bucketMs / 2.0) / spanMs;
            double y = bottom - (bottom - top) * value.applyAsDouble(bucket) / scale;
            html.append(fmt(x)).append(',').append(fmt(y)).append(' ');
        }
        html.append("\"/>");
    }

    private static String fmt(double value) {
        return String.format(Locale.ROOT, value == Math.rint(value) ? "%.0f" : "%.1f", value);
    }

    static String escape(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;");
    }
}
