package io.stackctl.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ByteSizeTest {

    @Test
    void bytesBelowAKibibyteAreCountedAndLargerSizesTakeTheLargestUnitThatFits() {
        assertThat(ByteSize.human(0)).isEqualTo("0 B");
        assertThat(ByteSize.human(1023)).isEqualTo("1023 B");
        assertThat(ByteSize.human(1536)).isEqualTo("1.5 KiB");
        assertThat(ByteSize.human(5L * 1024 * 1024)).isEqualTo("5.0 MiB");
        assertThat(ByteSize.human(3L * 1024 * 1024 * 1024 + 512L * 1024 * 1024)).isEqualTo("3.5 GiB");
        assertThat(ByteSize.human(2048L * 1024 * 1024 * 1024 * 1024)).isEqualTo("2048.0 TiB");
    }
}
