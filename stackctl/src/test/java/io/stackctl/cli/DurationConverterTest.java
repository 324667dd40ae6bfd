package io.stackctl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class DurationConverterTest {

    private final DurationConverter converter = new DurationConverter();

    @Test
    void readsShortAndIsoForms() {
        assertThat(converter.convert("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(converter.convert("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(converter.convert("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(converter.convert("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(converter.convert("PT3M")).isEqualTo(Duration.ofMinutes(3));
    }

    @Test
    void refusesZeroAndNonsense() {
        assertThatThrownBy(() -> converter.convert("0s")).isInstanceOf(TypeConversionException.class);
        assertThatThrownBy(() -> converter.convert("-5m")).isInstanceOf(TypeConversionException.class);
        assertThatThrownBy(() -> converter.convert("5 minutes")).isInstanceOf(TypeConversionException.class);
    }
}
