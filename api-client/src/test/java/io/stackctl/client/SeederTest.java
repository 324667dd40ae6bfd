package io.stackctl.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SeederTest {

    @Test
    void createdIdIsReadFromTheCreateAnswer() {
        assertThat(Seeder.createdId("{\"message\":\"task created\",\"task\":{\"id\":1234,\"title\":\"x\"}}"))
                .isEqualTo(1234);
        assertThat(Seeder.createdId("{\"error\":\"bad\"}")).isZero();
    }
}
