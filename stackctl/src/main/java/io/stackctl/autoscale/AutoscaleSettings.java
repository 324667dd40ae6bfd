package io.stackctl.autoscale;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import io.stackctl.stack.EnvFile;
import io.stackctl.stack.Stack;
import io.stackctl.stack.StackSettings;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The autoscaler's settings in compose/.env: {@code AUTOSCALE=min:max} turns it on; {@code AUTOSCALE_TARGET} is what
 * each replica is held to ({@link ScalingTarget}, CPU 60% of a core by default); {@code AUTOSCALE_SCALE_IN_AFTER} how
 * long every reading must have asked for fewer replicas before it removes any (Kubernetes' HPA: 5 minutes).
 */
public record AutoscaleSettings(int min, int max, ScalingTarget target, Duration scaleInAfter) {

    public static final String RANGE = "AUTOSCALE";
    public static final String TARGET = "AUTOSCALE_TARGET";
    public static final String SCALE_IN_AFTER = "AUTOSCALE_SCALE_IN_AFTER";

    static final String DEFAULT_TARGET = "cpu:60%";
    static final Duration DEFAULT_SCALE_IN_AFTER = Duration.ofMinutes(5);
    static final Duration SHORTEST_SCALE_IN_AFTER = Duration.ofSeconds(10);
    public static final Duration LONGEST_SCALE_IN_AFTER = Duration.ofHours(1);

    /** As {@link #parse}, from the shell's environment over compose/.env, as every other setting of the stack. */
    public static Optional<AutoscaleSettings> of(Map<String, String> environment, EnvFile envFile) {
        return parse(key -> StackSettings.setting(key, "", environment, envFile));
    }

    /** As {@link #of(Map, EnvFile)}, for a stack: its environment and its compose/.env as it is now. */
    public static Optional<AutoscaleSettings> of(Stack stack) {
        return of(stack.environment(), EnvFile.load(stack.files().envFile()));
    }

    /** The settings, or nothing when AUTOSCALE is unset or off; exit 2 naming the setting when one is wrong. */
    public static Optional<AutoscaleSettings> parse(UnaryOperator<String> settings) {
        String range = text(settings, RANGE);
        if (range.isEmpty() || range.equalsIgnoreCase("off")) {
            return Optional.empty();
        }
        var bounds = range.split(":", -1);
        int min = bounds.length == 2 ? count(bounds[0]) : -1;
        int max = bounds.length == 2 ? count(bounds[1]) : -1;
        if (min < 1 || max < min || max > Stack.MAX_REPLICAS) {
            throw new StackctlException(
                    ExitCodes.USAGE,
                    RANGE + " is '" + range + "', not min:max with 1 <= min <= max <= " + Stack.MAX_REPLICAS,
                    "set it in compose/.env, e.g. " + RANGE + "=2:6, or " + RANGE + "=off");
        }
        String targetText = text(settings, TARGET);
        var target = ScalingTarget.parse(TARGET, targetText.isEmpty() ? DEFAULT_TARGET : targetText);
        return Optional.of(new AutoscaleSettings(min, max, target, scaleInAfter(text(settings, SCALE_IN_AFTER))));
    }

    public int clamp(int replicas) {
        return Math.max(min, Math.min(max, replicas));
    }

    public boolean admits(int replicas) {
        return replicas >= min && replicas <= max;
    }

    /** Exit 2 when an operator asks for a count the autoscaler would not keep. */
    public void requireAdmits(int replicas, String what) {
        if (!admits(replicas)) {
            throw new StackctlException(
                    ExitCodes.USAGE,
                    what + ": " + replicas + " replicas is outside " + RANGE + "=" + min + ":" + max
                            + " in compose/.env, which the autoscaler keeps",
                    "ask for " + min + " to " + max + ", or change " + RANGE + " (off turns the autoscaler off)");
        }
    }

    public String describe() {
        return min + "-" + max + " replicas, " + target + " per replica"
                + (target.kind() == ScalingTarget.Kind.P99 ? " (the stack's)" : "")
                + ", scale-in after " + scaleInAfter.toSeconds() + " s";
    }

    private static Duration scaleInAfter(String text) {
        if (text.isEmpty()) {
            return DEFAULT_SCALE_IN_AFTER;
        }
        var match = java.util.regex.Pattern.compile("([0-9]{1,5})(s|m)?").matcher(text);
        if (match.matches()) {
            long amount = Long.parseLong(match.group(1));
            var after = "m".equals(match.group(2)) ? Duration.ofMinutes(amount) : Duration.ofSeconds(amount);
            if (after.compareTo(SHORTEST_SCALE_IN_AFTER) >= 0 && after.compareTo(LONGEST_SCALE_IN_AFTER) <= 0) {
                return after;
            }
        }
        throw new StackctlException(
                ExitCodes.USAGE,
                SCALE_IN_AFTER + " is '" + text + "', not a time from 10s to 60m",
                "set it in compose/.env, e.g. " + SCALE_IN_AFTER + "=5m (the default)");
    }

    private static int count(String text) {
        return text.strip().matches("[0-9]{1,3}") ? Integer.parseInt(text.strip()) : -1;
    }

    private static String text(UnaryOperator<String> settings, String key) {
        String value = settings.apply(key);
        return value == null ? "" : value.strip();
    }
}
