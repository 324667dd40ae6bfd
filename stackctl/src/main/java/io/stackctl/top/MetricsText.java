package io.stackctl.top;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Prometheus' text exposition format (version 0.0.4), as a replica's {@code /metrics} writes it, read into samples.
 * The Prometheus Java client writes this format but does not read it, and a scrape is all {@code top} needs to read
 * without Prometheus: comments are skipped, a timestamp after the value is ignored.
 */
public final class MetricsText {

    /** One sample: a metric name, its labels, its value. */
    public record Sample(String name, Map<String, String> labels, double value) {
        public String label(String key) {
            return labels.getOrDefault(key, "");
        }
    }

    private MetricsText() {}

    /** Every sample in {@code text}; a line that is not a sample is named in an {@link IllegalArgumentException}. */
    public static List<Sample> parse(String text) {
        List<Sample> samples = new ArrayList<>();
        int number = 0;
        for (String line : text.split("\n")) {
            number++;
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            try {
                samples.add(sample(trimmed));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(
                        "line " + number + " is not a Prometheus sample (" + e.getMessage() + "): " + abbreviated(line),
                        e);
            }
        }
        return samples;
    }

    private static Sample sample(String line) {
        int brace = line.indexOf('{');
        int space = line.indexOf(' ');
        Map<String, String> labels = new LinkedHashMap<>();
        String name;
        int rest;
        if (brace >= 0 && (space < 0 || brace < space)) {
            name = line.substring(0, brace);
            rest = labels(line, brace + 1, labels);
        } else {
            if (space < 0) {
                throw new IllegalArgumentException("no value");
            }
            name = line.substring(0, space);
            rest = space;
        }
        if (name.isEmpty()) {
            throw new IllegalArgumentException("no metric name");
        }
        String[] fields = line.substring(rest).strip().split("\\s+");
        return new Sample(name, Map.copyOf(labels), value(fields[0]));
    }

    /** Reads {@code a="x",b="y"}} from {@code at}, unescaping values; returns the index after the closing brace. */
    private static int labels(String line, int at, Map<String, String> labels) {
        int i = at;
        while (true) {
            while (i < line.length() && (line.charAt(i) == ',' || line.charAt(i) == ' ')) {
                i++;
            }
            if (i >= line.length()) {
                throw new IllegalArgumentException("unclosed labels");
            }
            if (line.charAt(i) == '}') {
                return i + 1;
            }
            int equals = line.indexOf('=', i);
            if (equals < 0 || equals + 1 >= line.length() || line.charAt(equals + 1) != '"') {
                throw new IllegalArgumentException("a label without a quoted value");
            }
            String key = line.substring(i, equals).strip();
            var value = new StringBuilder();
            i = equals + 2;
            while (true) {
                if (i >= line.length()) {
                    throw new IllegalArgumentException("unclosed label value");
                }
                char c = line.charAt(i++);
                if (c == '"') {
                    break;
                }
                if (c == '\\' && i < line.length()) {
                    char escaped = line.charAt(i++);
                    value.append(escaped == 'n' ? '\n' : escaped);
                } else {
                    value.append(c);
                }
            }
            labels.put(key, value.toString());
        }
    }

    private static double value(String text) {
        return switch (text) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(text);
        };
    }

    private static String abbreviated(String line) {
        return line.length() <= 120 ? line : line.substring(0, 120) + "...";
    }
}
