package io.stackctl.autoscale;

import java.time.Instant;

/**
 * One reading of the replicas in rotation: how many there were and the target's measure over the seconds before
 * {@code at} (the mean per replica for CPU and requests, the stack's for p99).
 */
public record Observation(Instant at, int replicas, double reading) {}
