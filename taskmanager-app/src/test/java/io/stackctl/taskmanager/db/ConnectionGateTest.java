package io.stackctl.taskmanager.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ConnectionGateTest {

    @Test
    void anOpenGateLetsEveryBorrowerThrough() throws Exception {
        var gate = new ConnectionGate();
        gate.pass();
        assertThat(gate.held()).isFalse();
    }

    @Test
    void aHeldGateKeepsBorrowersUntilItOpens() throws Exception {
        var gate = new ConnectionGate();
        gate.hold(Duration.ofMinutes(1));
        var borrower = CompletableFuture.runAsync(() -> {
            try {
                gate.pass();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        // Still waiting: nothing opened the gate, and the hold has most of a minute left.
        assertThat(borrower).isNotDone();
        Thread.sleep(200);
        assertThat(borrower).as("held while the gate is closed").isNotDone();
        assertThat(gate.held()).isTrue();
        gate.open();
        borrower.get(5, TimeUnit.SECONDS);
        assertThat(gate.held()).isFalse();
    }

    @Test
    void aHoldNobodyEndsRunsOutByItself() throws Exception {
        var gate = new ConnectionGate();
        gate.hold(Duration.ofMillis(300));
        var borrower = CompletableFuture.runAsync(() -> {
            try {
                gate.pass();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        // The operator that held it died: the borrower goes on once the hold has run out, not for ever after.
        borrower.get(5, TimeUnit.SECONDS);
        assertThat(gate.held()).isFalse();
    }
}
