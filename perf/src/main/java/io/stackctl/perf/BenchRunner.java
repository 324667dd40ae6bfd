package io.stackctl.perf;

import io.stackctl.client.BenchPlan;
import io.stackctl.client.LoadRunner;
import io.stackctl.client.Recorder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Runs one simulation with Gatling in this JVM and returns what the {@link Recorder} saw. */
public final class BenchRunner implements LoadRunner {

    /** The simulations by the names used in targets.json and on the command line. */
    public static String simulationClass(String name) {
        return switch (name) {
            case "read-heavy" -> ReadHeavySimulation.class.getName();
            case "mixed" -> MixedSimulation.class.getName();
            case "cache-miss" -> CacheMissSimulation.class.getName();
            default ->
                throw new IllegalArgumentException(
                        "no simulation '" + name + "'; there are read-heavy, mixed and cache-miss");
        };
    }

    @Override
    public Run run(String simulation, BenchPlan plan, Path resultsDir) throws IOException {
        Files.createDirectories(resultsDir);
        BenchPlan.set(plan);
        Recorder.reset();
        int exit = io.gatling.app.Gatling$.MODULE$.fromArgs(
                new String[] {"--simulation", simulationClass(simulation), "--results-folder", resultsDir.toString()});
        return new Run(simulation, exit, newestReport(resultsDir), Recorder.drain());
    }

    private static Path newestReport(Path resultsDir) throws IOException {
        try (Stream<Path> dirs = Files.list(resultsDir)) {
            return dirs.filter(Files::isDirectory)
                    .filter(d -> Files.exists(d.resolve("index.html")))
                    .max((a, b) ->
                            Long.compare(a.toFile().lastModified(), b.toFile().lastModified()))
                    .orElse(resultsDir);
        }
    }
}
