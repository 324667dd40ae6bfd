package io.stackctl.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.stackctl.core.ExitCodes;
import io.stackctl.core.Json;
import io.stackctl.core.StackctlException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Human tables or one JSON document on stdout; progress goes to stderr so {@code -o json} stays clean. */
public final class Output {

    /** The one JSON style of stackctl (see {@link Json}). */
    public static final ObjectMapper JSON = Json.MAPPER;

    private final PrintWriter out;

    public Output(PrintWriter out) {
        this.out = out;
    }

    public void json(Object document) {
        try {
            out.println(JSON.writeValueAsString(document));
        } catch (Exception e) {
            throw new StackctlException(ExitCodes.FAILED, "cannot print JSON: " + e.getMessage(), "report this bug");
        }
        out.flush();
    }

    /** One document on one line (JSON Lines), for output that streams a document per event. */
    public void jsonLine(Object document) {
        try {
            out.println(
                    JSON.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(document));
        } catch (Exception e) {
            throw new StackctlException(ExitCodes.FAILED, "cannot print JSON: " + e.getMessage(), "report this bug");
        }
        out.flush();
    }

    public void table(List<String> headers, List<List<String>> rows) {
        int[] widths = new int[headers.size()];
        List<List<String>> all = new ArrayList<>();
        all.add(headers);
        all.addAll(rows);
        for (List<String> row : all) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        for (List<String> row : all) {
            var line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                line.append(i == row.size() - 1 ? row.get(i) : String.format("%-" + (widths[i] + 2) + "s", row.get(i)));
            }
            out.println(line.toString().stripTrailing());
        }
        out.flush();
    }

    public void line(String text) {
        out.println(text);
        out.flush();
    }

    /** How long ago, to the two largest units: 3d4h, 2h5m, 0m43s. */
    public static String age(Instant at, Instant now) {
        Duration age = Duration.between(at, now);
        if (age.toDays() > 0) {
            return age.toDays() + "d" + age.toHoursPart() + "h";
        }
        if (age.toHours() > 0) {
            return age.toHours() + "h" + age.toMinutesPart() + "m";
        }
        return age.toMinutes() + "m" + age.toSecondsPart() + "s";
    }
}
