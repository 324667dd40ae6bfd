package io.stackctl.client;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Every request of a run as Gatling measured it (its own response time check), collected in this JVM so
 * the summary does not depend on Gatling's report files, whose format is not an API.
 */
public final class Recorder {

    /** One request: its name, whether every check passed, and Gatling's response time (-1 when none). */
    public record Request(String name, boolean ok, long responseTimeMs) {}

    private static final ConcurrentLinkedQueue<Request> REQUESTS = new ConcurrentLinkedQueue<>();

    private Recorder() {}

    public static void record(String name, boolean ok, long responseTimeMs) {
        REQUESTS.add(new Request(name, ok, responseTimeMs));
    }

    public static void reset() {
        REQUESTS.clear();
    }

    public static List<Request> drain() {
        List<Request> all = new ArrayList<>(REQUESTS);
        REQUESTS.clear();
        return all;
    }
}
