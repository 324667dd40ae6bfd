package io.stackctl.drill;

/** One steady-state claim of a drill, whether it held, and the figure that decided it. */
public record Hypothesis(String claim, boolean held, String measured) {

    public static Hypothesis check(String claim, boolean held, String measured) {
        return new Hypothesis(claim, held, measured);
    }
}
