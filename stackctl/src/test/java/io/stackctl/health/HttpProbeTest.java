package io.stackctl.health;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HttpProbeTest {

    @Test
    void anAddressThatIsNotOneIsAFailedProbeNotAnException() {
        // A replica that is being created has no address yet: its URL is http://:8080/...
        var result = new HttpProbe().send("GET", "http://:8080/auth/me", "token");

        assertThat(result.ok()).isFalse();
        assertThat(result.status()).isZero();
        assertThat(result.error()).startsWith("not a URL");
    }
}
