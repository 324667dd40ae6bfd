package io.stackctl.deploy;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import io.stackctl.stack.EnvFile;
import io.stackctl.stack.StackSettings;
import java.time.Duration;
import java.util.Map;

/**
 * How a deploy judges each batch from the monitoring profile's Prometheus (compose/.env): for how long, and against
 * what. The defaults are Flagger's (success rate 99%, p99 500 ms); see docs/deploys.md for the figures behind them.
 */
public record AnalysisSettings(
        boolean enabled, Duration interval, double minSuccessPercent, double maxP99Ms, int minRequests) {

    public static final String ENABLED = "DEPLOY_ANALYSIS";
    public static final String SECONDS = "DEPLOY_ANALYSIS_SECONDS";
    public static final String MIN_SUCCESS = "DEPLOY_MIN_SUCCESS_PERCENT";
    public static final String MAX_P99 = "DEPLOY_MAX_P99_MS";
    public static final String MIN_REQUESTS = "DEPLOY_MIN_REQUESTS";

    public static AnalysisSettings of(Map<String, String> environment, EnvFile envFile) {
        return new AnalysisSettings(
                StackSettings.onOff(ENABLED, true, environment, envFile, ENABLED + "=off for a deploy without it"),
                Duration.ofSeconds((long) number(SECONDS, "30", 10, 600, environment, envFile)),
                number(MIN_SUCCESS, "99", 50, 100, environment, envFile),
                number(MAX_P99, "500", 1, 60_000, environment, envFile),
                (int) number(MIN_REQUESTS, "20", 1, 1_000_000, environment, envFile));
    }

    private static double number(
            String key, String fallback, double min, double max, Map<String, String> environment, EnvFile envFile) {
        String text = StackSettings.setting(key, fallback, environment, envFile).strip();
        double value;
        try {
            value = Double.parseDouble(text.isEmpty() ? fallback : text);
        } catch (NumberFormatException e) {
            value = Double.NaN;
        }
        if (!(value >= min && value <= max)) {
            throw new StackctlException(
                    ExitCodes.USAGE,
                    key + " is '" + text + "', not a number from " + plain(min) + " to " + plain(max),
                    "set it in compose/.env (" + key + "=" + fallback + " by default), or remove the line");
        }
        return value;
    }

    private static String plain(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }
}
