package org.edgellm.bench;

/** Statistics shared by the benchmarks that print means with confidence intervals. */
final class Stats {

    private Stats() {}

    /**
     * The sample standard deviation of {@code v} around {@code mean} (divisor n - 1), summed in the
     * array's order. Callers multiply by their critical value and divide by sqrt(n).
     *
     * @throws IllegalArgumentException with fewer than two values
     */
    static double sampleSd(double[] v, double mean) {
        if (v.length < 2) {
            throw new IllegalArgumentException(
                    "values: a sample standard deviation needs at least 2, got " + v.length);
        }
        double ss = 0;
        for (double d : v) {
            ss += (d - mean) * (d - mean);
        }
        return Math.sqrt(ss / (v.length - 1));
    }
}
