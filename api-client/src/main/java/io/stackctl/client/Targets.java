package io.stackctl.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** perf/targets.json: per profile, the simulations to run, at what rate, for how long, and what must hold. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Targets(Map<String, Profile> profiles) {

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Profile(
            @JsonProperty("rate") double rate,
            @JsonProperty("duration_s") long durationSeconds,
            @JsonProperty("warmup_s") long warmupSeconds,
            @JsonProperty("simulations") List<String> simulations,
            @JsonProperty("targets") Limits limits) {}

    /** What every simulation of the profile must meet, over all its requests. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Limits(
            @JsonProperty("p50_ms") long p50Ms,
            @JsonProperty("p95_ms") long p95Ms,
            @JsonProperty("p99_ms") long p99Ms,
            @JsonProperty("max_error_pct") double maxErrorPct,
            @JsonProperty("min_rps") double minRps) {}

    static final List<String> SIMULATIONS = List.of("read-heavy", "mixed", "cache-miss");

    /** Reads and checks a targets file; a file of another shape is an {@link IllegalArgumentException} naming the field. */
    public static Targets read(Path file) throws IOException {
        Targets targets = new ObjectMapper().readValue(file.toFile(), Targets.class);
        if (targets == null) {
            throw new IllegalArgumentException("the file holds no JSON object");
        }
        targets.validate();
        return targets;
    }

    void validate() {
        if (profiles == null || profiles.isEmpty()) {
            throw new IllegalArgumentException("it has no \"profiles\" object (perf/targets.json shows the shape)");
        }
        profiles.forEach((name, profile) -> {
            String at = "profiles." + name;
            require(profile != null, at + " is empty");
            require(profile.rate() > 0, at + ".rate must be above 0, got " + profile.rate());
            require(
                    profile.durationSeconds() > 0,
                    at + ".duration_s must be above 0, got " + profile.durationSeconds());
            require(profile.warmupSeconds() >= 0, at + ".warmup_s must be 0 or more, got " + profile.warmupSeconds());
            require(
                    profile.simulations() != null && !profile.simulations().isEmpty(),
                    at + ".simulations must list at least one of " + SIMULATIONS);
            profile.simulations()
                    .forEach(simulation -> require(
                            SIMULATIONS.contains(simulation),
                            at + ".simulations names '" + simulation + "'; there are " + SIMULATIONS));
            Limits limits = profile.limits();
            require(limits != null, at + ".targets is missing (p50_ms, p95_ms, p99_ms, max_error_pct, min_rps)");
            require(
                    limits.p50Ms() >= 0 && limits.p95Ms() >= 0 && limits.p99Ms() >= 0,
                    at + ".targets needs p50_ms, p95_ms and p99_ms of 0 or more");
            require(
                    limits.maxErrorPct() >= 0 && limits.maxErrorPct() <= 100,
                    at + ".targets.max_error_pct must be from 0 to 100, got " + limits.maxErrorPct());
            require(limits.minRps() >= 0, at + ".targets.min_rps must be 0 or more, got " + limits.minRps());
        });
    }

    private static void require(boolean holds, String problem) {
        if (!holds) {
            throw new IllegalArgumentException(problem);
        }
    }

    public Profile profile(String name) {
        var profile = profiles.get(name);
        if (profile == null) {
            throw new IllegalArgumentException(
                    "no profile '" + name + "' in the targets file; it has " + String.join(", ", profiles.keySet()));
        }
        return profile;
    }
}
