package io.stackctl.cli;

import java.time.Duration;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code 90s}, {@code 5m}, {@code 1h}, {@code 500ms} or ISO-8601 ({@code PT3M}). */
final class DurationConverter implements ITypeConverter<Duration> {

    private static final Pattern SHORT = Pattern.compile("(\\d+)(ms|s|m|h)");

    /** For options where zero means "none", such as {@code --warmup 0s}. */
    static final class ZeroAllowed implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            if (value.strip().matches("0+(ms|s|m|h)?")) {
                return Duration.ZERO;
            }
            return new DurationConverter().convert(value);
        }
    }

    @Override
    public Duration convert(String value) {
        var matcher = SHORT.matcher(value.strip());
        Duration duration;
        if (matcher.matches()) {
            long amount = Long.parseLong(matcher.group(1));
            duration = switch (matcher.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofHours(amount);
            };
        } else {
            try {
                duration = Duration.parse(value.strip());
            } catch (RuntimeException e) {
                throw new TypeConversionException("'" + value + "' is not a duration (examples: 90s, 5m, 1h)");
            }
        }
        if (duration.isZero() || duration.isNegative()) {
            throw new TypeConversionException("'" + value + "' must be longer than zero");
        }
        return duration;
    }
}
