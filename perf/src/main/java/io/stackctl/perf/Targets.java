package io.stackctl.perf;

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

    public static Targets read(Path file) throws IOException {
        return new ObjectMapper().readValue(file.toFile(), Targets.class);
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
