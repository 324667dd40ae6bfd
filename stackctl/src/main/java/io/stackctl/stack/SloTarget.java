package io.stackctl.stack;

import io.stackctl.core.AtomicFiles;
import io.stackctl.core.ExitCodes;
import io.stackctl.core.StackctlException;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.Map;

/**
 * The API's availability SLO, {@code SLO_AVAILABILITY} in compose/.env (a percentage, 99.9 by default), as the one
 * recorded series the burn-rate alerts compare against: {@code stack:slo_error_budget:ratio}, the share of requests
 * that may fail. stackctl writes it as a rule file beside the scrape targets; Prometheus loads it at start and on
 * SIGHUP, which {@code up} sends when the target changed.
 */
public final class SloTarget {

    public static final String SETTING = "SLO_AVAILABILITY";
    public static final String DEFAULT = "99.9";

    /** The rule file's name in the scrape-targets folder (Prometheus' /stack/targets). */
    public static final String FILE = "slo.yml";

    private final BigDecimal availability;

    private SloTarget(BigDecimal availability) {
        this.availability = availability;
    }

    /** compose/.env's target; exit 2 naming the setting unless it is a percentage from 90 to below 100. */
    public static SloTarget of(Map<String, String> environment, EnvFile envFile) {
        return parse(
                StackSettings.setting(SETTING, DEFAULT, environment, envFile).strip());
    }

    static SloTarget parse(String text) {
        BigDecimal value;
        try {
            value = new BigDecimal(text.endsWith("%") ? text.substring(0, text.length() - 1) : text);
        } catch (NumberFormatException e) {
            value = null;
        }
        if (value == null
                || value.compareTo(BigDecimal.valueOf(90)) < 0
                || value.compareTo(BigDecimal.valueOf(100)) >= 0) {
            throw new StackctlException(
                    ExitCodes.USAGE,
                    SETTING + " is '" + text + "', not an availability from 90 to below 100 (percent)",
                    "set it in compose/.env to the share of requests that must succeed, e.g. " + SETTING + "=99.9"
                            + " (a 0.1% error budget), or remove the line for 99.9");
        }
        return new SloTarget(value.stripTrailingZeros());
    }

    /** The error budget: the share of requests that may fail, e.g. 0.001 for 99.9. */
    public BigDecimal budget() {
        return BigDecimal.ONE.subtract(availability.movePointLeft(2)).stripTrailingZeros();
    }

    public String availability() {
        return availability.toPlainString();
    }

    /** The rule file Prometheus loads. */
    public String rules() {
        return """
                # Written by stackctl from compose/.env (%s=%s) at each up; changes here are overwritten.
                groups:
                  - name: stack-slo-target
                    rules:
                      - record: stack:slo_error_budget:ratio
                        expr: vector(%s)
                """.formatted(SETTING, availability(), budget().toPlainString());
    }

    /** Writes the rule file into {@code dir} when it differs; true when it changed. */
    public boolean write(Path dir) {
        Path file = dir.resolve(FILE);
        String text = rules();
        try {
            return AtomicFiles.writeStringIfChanged(file, text, AtomicFiles.permissions("rw-r--r--"));
        } catch (IOException e) {
            throw new StackctlException(
                    ExitCodes.FAILED,
                    "cannot write the SLO's rule file " + file + ": " + e.getMessage(),
                    "check that compose/generated is writable by this user");
        }
    }
}
