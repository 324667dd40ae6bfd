package io.stackctl.client;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Runs one named simulation of a {@link BenchPlan} and returns what the {@link Recorder} saw. Gatling's runner is in
 * the perf module, found at run time: stackctl compiles against this interface only, not against Gatling.
 */
public interface LoadRunner {

    /**
     * @param exit 0 ok, 1 the runner failed, 2 its own assertions failed (we set none)
     * @param reportDir the folder of the runner's HTML report
     */
    record Run(String simulation, int exit, Path reportDir, List<Recorder.Request> requests) {}

    Run run(String simulation, BenchPlan plan, Path resultsDir) throws IOException;

    /** The runner on the class path; {@link IllegalStateException} when there is none (a jar built without perf). */
    static LoadRunner find() {
        return ServiceLoader.load(LoadRunner.class)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException(
                        "no load runner on the class path: the perf module (Gatling) is missing from this build"));
    }
}
