package io.stackctl.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What health says about the replicas' token keys. */
class TokenKeysCheckTest {

    static final String FILE = "compose/keys/jwt-keys.json";

    @Test
    void replicasThatAgreeWithTheFileOrWithEachOtherBeforeAnyRotationAreFine() {
        assertThat(TokenKeysCheck.problems(Optional.of("k2"), Map.of("app_1", "k2", "app_2", "k2"), FILE))
                .isEmpty();
        assertThat(TokenKeysCheck.problems(Optional.empty(), Map.of("app_1", "env", "app_2", "env"), FILE))
                .isEmpty();
    }

    @Test
    void aReplicaThatDoesNotReadTheFileIsNamedWithWhatItSignsAndHowToFixIt() {
        var problems = TokenKeysCheck.problems(Optional.of("k2"), Map.of("app_1", "k2", "app_2", "env"), FILE);
        assertThat(problems).hasSize(2);
        assertThat(problems.get(0)).startsWith("the replicas sign tokens with different keys (app_1: k2, app_2: env)");
        assertThat(problems.get(1))
                .startsWith("app_2 signs tokens with key env but " + FILE + " says k2")
                .contains("uid 10001");
    }
}
