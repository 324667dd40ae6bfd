package io.stackctl.stack;

import io.stackctl.process.ProcessRunner;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds the air-gapped stand-in images with compose/images/build.sh and returns VAR=image pairs. */
public final class OfflineImages {

    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(30);

    private OfflineImages() {}

    /** Builds them, passing build.sh's progress lines ("[images] building ...") to {@code progress}. */
    public static Map<String, String> build(
            ProcessRunner runner, StackFiles files, java.util.function.Consumer<String> progress) {
        var result = runner.check(List.of("bash", files.imagesScript().toString()), BUILD_TIMEOUT, progress);
        return parse(result.stdout());
    }

    static Map<String, String> parse(String output) {
        Map<String, String> images = new LinkedHashMap<>();
        output.lines()
                .map(String::strip)
                .filter(line -> line.matches("[A-Z_]+_IMAGE=\\S+"))
                .forEach(line ->
                        images.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1)));
        return images;
    }
}
