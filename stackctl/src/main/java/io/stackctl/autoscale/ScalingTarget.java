package io.stackctl.autoscale;

import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import java.util.Locale;

/**
 * What the autoscaler holds each replica to (AUTOSCALE_TARGET): its CPU as a share of one core, the stack's p99 in
 * milliseconds, or its requests per second (Knative's and KEDA's measure: it follows the load exactly, where CPU and
 * latency also follow the host's noise).
 */
public record ScalingTarget(Kind kind, double value) {

    public enum Kind {
        CPU("cpu", "%"),
        P99("p99", "ms"),
        RPS("rps", " req/s");

        final String word;
        final String unit;

        Kind(String word, String unit) {
            this.word = word;
            this.unit = unit;
        }
    }

    static final String FORMS = "cpu:60% (of one core per replica), p99:250ms (the stack's), or rps:100 (per replica)";

    /** {@code cpu:60%}, {@code p99:250ms} or {@code rps:100}. */
    public static ScalingTarget parse(String key, String text) {
        String[] parts = text.strip().toLowerCase(Locale.ROOT).split(":", 2);
        if (parts.length == 2) {
            String number = parts[1].strip();
            Kind kind = switch (parts[0].strip()) {
                case "cpu" -> Kind.CPU;
                case "p99" -> Kind.P99;
                case "rps" -> Kind.RPS;
                default -> null;
            };
            if (kind != null) {
                String unit = kind.unit.strip();
                if (kind != Kind.RPS && number.endsWith(unit)) {
                    number = number.substring(0, number.length() - unit.length());
                }
                try {
                    double value = Double.parseDouble(number);
                    double max = kind == Kind.CPU ? 400 : kind == Kind.P99 ? 60_000 : 1_000_000;
                    if (value > 0 && value <= max) {
                        return new ScalingTarget(kind, value);
                    }
                } catch (NumberFormatException e) {
                    // said below
                }
            }
        }
        throw new StackctlException(
                ExitCodes.USAGE,
                key + " is '" + text + "', not a target the autoscaler knows",
                "set it in compose/.env to " + FORMS);
    }

    /** A reading in this target's unit: CPU as a percentage of one core, p99 in ms, requests per second. */
    public String format(double reading) {
        String number = reading >= 10 || reading == Math.rint(reading)
                ? Long.toString(Math.round(reading))
                : Double.toString(Math.round(reading * 10) / 10.0);
        return kind.word + " " + number + kind.unit;
    }

    @Override
    public String toString() {
        return format(value);
    }
}
