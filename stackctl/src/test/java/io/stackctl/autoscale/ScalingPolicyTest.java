package io.stackctl.autoscale;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ScalingPolicyTest {

    private static final Instant T0 = Instant.parse("2026-12-05T12:00:00Z");
    private static final Duration TICK = Duration.ofSeconds(5);

    private final AutoscaleSettings rps40 =
            new AutoscaleSettings(2, 6, new ScalingTarget(ScalingTarget.Kind.RPS, 40), Duration.ofSeconds(60));

    /** Feeds one reading per tick from {@code from}, returning the decisions, applying each as the agent does. */
    private static List<ScalingPolicy.Decision> run(
            ScalingPolicy policy, int[] replicas, Instant from, double... readings) {
        List<ScalingPolicy.Decision> decisions = new ArrayList<>();
        Instant at = from;
        for (double reading : readings) {
            Optional<ScalingPolicy.Decision> decision = policy.observe(new Observation(at, replicas[0], reading));
            if (decision.isPresent()) {
                decisions.add(decision.get());
                replicas[0] = decision.get().to();
                policy.changed(at);
            }
            at = at.plus(TICK);
        }
        return decisions;
    }

    private static double[] repeat(double reading, int times) {
        double[] all = new double[times];
        java.util.Arrays.fill(all, reading);
        return all;
    }

    @Test
    void aLoadAboveTheTargetScalesOutAfterThreeReadingsByHpasFormula() {
        var policy = new ScalingPolicy(rps40, T0);
        int[] replicas = {2};
        // 2 replicas at a median of 100 req/s each: ceil(2 * 100 / 40) = 5.
        var decisions = run(policy, replicas, T0, 130, 100, 90);
        assertThat(decisions).hasSize(1);
        assertThat(decisions.get(0).from()).isEqualTo(2);
        assertThat(decisions.get(0).to()).isEqualTo(5);
        assertThat(decisions.get(0).reason())
                .isEqualTo("rps 100 req/s (median) for 20 s, above the target rps 40 req/s");
        assertThat(run(new ScalingPolicy(rps40, T0), new int[] {2}, T0, 100, 100))
                .as("two readings are not enough")
                .isEmpty();
        assertThat(run(new ScalingPolicy(rps40, T0), new int[] {2}, T0, 100, 30, 100, 100))
                .as("one reading below the target in the window holds it back")
                .isEmpty();
        var wide = new AutoscaleSettings(1, 20, rps40.target(), rps40.scaleInAfter());
        assertThat(run(new ScalingPolicy(wide, T0), new int[] {1}, T0, 400, 400, 400))
                .as("at most four more at once from one replica")
                .extracting(ScalingPolicy.Decision::to)
                .containsExactly(5);
    }

    @Test
    void withinTenPercentOfTheTargetNothingChanges() {
        var policy = new ScalingPolicy(rps40, T0);
        assertThat(run(policy, new int[] {3}, T0, repeat(43.9, 40))).isEmpty();
        assertThat(run(policy, new int[] {3}, T0.plusSeconds(200), repeat(36.5, 40)))
                .isEmpty();
    }

    @Test
    void scaleInWaitsForAWholeQuietWindowAndGoesToWhatItsMeanAsksFor() {
        var policy = new ScalingPolicy(rps40, T0);
        int[] replicas = {5};
        // 5 replicas at 10 req/s, a while at 20 (asking for 3) and a lone 35: every reading asks for fewer than 5;
        // the mean, 13.5, asks for ceil(5 * 13.5 / 40) = 2.
        double[] readings = repeat(10, 13);
        readings[4] = 20;
        readings[5] = 20;
        readings[9] = 35;
        var decisions = run(policy, replicas, T0, readings);
        assertThat(decisions).hasSize(1);
        assertThat(decisions.get(0).to()).isEqualTo(2);
        assertThat(decisions.get(0).reason())
                .isEqualTo("rps 13 req/s on average over 60 s, rps 10 req/s lately, below the target rps 40 req/s");
        var early = new ScalingPolicy(rps40, T0);
        assertThat(run(early, new int[] {5}, T0, repeat(10, 12)))
                .as("not before 60 s of readings")
                .isEmpty();
    }

    @Test
    void theLatestReadingsHoldTheCountUpWhenTheyAskForMoreThanTheMean() {
        // 4 replicas: quiet (5) for most of the window, then 18 lately (each asks for 3, fewer than 4).
        double[] readings = repeat(5, 13);
        for (int i = 10; i < 13; i++) {
            readings[i] = 18;
        }
        var decisions = run(new ScalingPolicy(rps40, T0), new int[] {4}, T0, readings);
        assertThat(decisions).extracting(ScalingPolicy.Decision::to).containsExactly(2);
        var rising = new AutoscaleSettings(1, 6, rps40.target(), rps40.scaleInAfter());
        assertThat(run(new ScalingPolicy(rising, T0), new int[] {4}, T0, readings))
                .as("the mean alone would go to 1; the latest readings ask for 2")
                .extracting(ScalingPolicy.Decision::to)
                .containsExactly(2);
    }

    @Test
    void aSpikesTailInTheWindowStillScalesInOnce() {
        // CI: after the spike (25 a replica at 4, the target 25), one reading straddles its end (17), then quiet (5).
        var settings =
                new AutoscaleSettings(2, 4, new ScalingTarget(ScalingTarget.Kind.RPS, 25), Duration.ofSeconds(30));
        var policy = new ScalingPolicy(settings, T0);
        List<String> decisions = new ArrayList<>();
        int replicas = 4;
        Instant at = T0;
        double[] readings = {25, 25, 25, 25, 17, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5};
        for (double reading : readings) {
            var decision = policy.observe(new Observation(at, replicas, reading));
            if (decision.isPresent()) {
                decisions.add(decision.get().from() + "->" + decision.get().to());
                replicas = decision.get().to();
                policy.changed(at);
            }
            at = at.plus(TICK);
        }
        assertThat(decisions).containsExactly("4->2");
    }

    @Test
    void aLoadStillFallingWaitsAndScalesInOnce() {
        // CI on a busy host: the spike served at 25 a replica at 4 (the target 25), then fell over four readings. The
        // first window that asked for fewer (25, 18, 18, 17, 8, 5, 5) averaged 13.7, asking for 3, its latest readings
        // for 2: going to 3 then was a second decision a window later, 3 -> 2.
        var settings =
                new AutoscaleSettings(2, 4, new ScalingTarget(ScalingTarget.Kind.RPS, 25), Duration.ofSeconds(30));
        double[] readings = new double[30];
        java.util.Arrays.fill(readings, 5);
        double[] spike = {25, 25, 25, 25, 25, 25, 25, 18, 18, 17, 8};
        System.arraycopy(spike, 0, readings, 0, spike.length);
        var decisions = run(new ScalingPolicy(settings, T0), new int[] {4}, T0, readings);
        assertThat(decisions).extracting(d -> d.from() + "->" + d.to()).containsExactly("4->2");
        assertThat(decisions.get(0).reason())
                .as("one reading after the first window that asked for fewer: the mean of the next asks for 2")
                .isEqualTo("rps 11 req/s on average over 30 s, rps 5 req/s lately, below the target rps 25 req/s");
    }

    @Test
    void aShortDipDoesNotScaleIn() {
        var policy = new ScalingPolicy(rps40, T0);
        double[] readings = repeat(40, 40);
        for (int i = 10; i < 16; i++) {
            readings[i] = 5;
        }
        assertThat(run(policy, new int[] {4}, T0, readings)).isEmpty();
    }

    @Test
    void aSpikeScalesOutOnceAndBackInOnceWithNoFlapping() {
        // load-spike in CI: 50 req/s, 250 for a minute, 50 again, over AUTOSCALE=2:4 with rps:40; each reading the
        // load shared by the replicas of the moment, with 20% noise (at 30%, 6 seeds in 50 scale in twice: 4, 3, 2).
        var settings = new AutoscaleSettings(2, 4, rps40.target(), Duration.ofSeconds(60));
        for (long seed = 0; seed < 50; seed++) {
            var policy = new ScalingPolicy(settings, T0);
            var random = new Random(seed);
            int replicas = 2;
            List<String> decisions = new ArrayList<>();
            Instant at = T0;
            for (int tick = 0; tick < 60; tick++, at = at.plus(TICK)) {
                double load = tick >= 10 && tick < 22 ? 250 : 50;
                double reading = Math.max(0, load / replicas * (1 + random.nextGaussian() * 0.2));
                var decision = policy.observe(new Observation(at, replicas, reading));
                if (decision.isPresent()) {
                    decisions.add(decision.get().from() + "->" + decision.get().to());
                    replicas = decision.get().to();
                    policy.changed(at);
                }
            }
            assertThat(decisions).as("seed " + seed).containsExactly("2->4", "4->2");
        }
    }

    @Test
    void aCountOutsideTheBoundsIsBroughtInsideAtOnce() {
        var policy = new ScalingPolicy(rps40, T0);
        assertThat(policy.observe(new Observation(T0, 1, 40)))
                .hasValueSatisfying(d -> assertThat(d.to()).isEqualTo(2));
        assertThat(policy.observe(new Observation(T0, 8, 40)))
                .hasValueSatisfying(d -> assertThat(d.to()).isEqualTo(6));
    }

    @Test
    void p99AndCpuUseTheSameRatio() {
        var p99 = new ScalingPolicy(
                new AutoscaleSettings(1, 10, new ScalingTarget(ScalingTarget.Kind.P99, 200), Duration.ofSeconds(60)),
                T0);
        assertThat(p99.desired(2, 500)).isEqualTo(5);
        assertThat(p99.desired(2, 210)).isEqualTo(2);
        var cpu = new ScalingPolicy(
                new AutoscaleSettings(1, 10, new ScalingTarget(ScalingTarget.Kind.CPU, 60), Duration.ofSeconds(60)),
                T0);
        assertThat(cpu.desired(3, 90)).isEqualTo(5);
        assertThat(cpu.desired(4, 15)).isEqualTo(1);
    }
}
