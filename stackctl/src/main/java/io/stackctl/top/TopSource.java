package io.stackctl.top;

/** Where {@code top}'s figures come from: the replicas' own /metrics, or Prometheus. */
public interface TopSource {

    /** {@code replicas} or {@code prometheus}, as {@code --source} and {@code -o json} spell it. */
    String name();

    /** The figures now. A source that computes rates between its own samples needs one earlier call. */
    TopSample sample();

    /** True when {@link #sample} can show rates at its first call (Prometheus keeps the history itself). */
    boolean ratesAtFirstSample();
}
