/** Gatling simulations against the stack; they arrive with the benchmark issue. */
package io.stackctl.perf;
