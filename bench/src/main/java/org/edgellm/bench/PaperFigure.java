package org.edgellm.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One figure of {@code bench.jar paper} with its data: what {@link PaperSweeps} computes and the
 * writers ({@link PaperCsv}, {@link PaperPlot}, {@link PaperMarkdown}) print.
 *
 * @param id file name without extension (fig1-requests, ...)
 * @param x label of the x axis and the first table column
 * @param y label of the y axis
 * @param logY whether the y axis is logarithmic
 * @param note a sentence printed under the table, or null
 */
record PaperFigure(
        String id,
        String title,
        String x,
        String y,
        boolean logY,
        List<PaperFigure.Series> series,
        String note) {

    /** One curve: points of {x, mean, half-width of the 95% interval}. */
    record Series(String name, List<double[]> points) {}

    /**
     * The 95% point of the values at {@code x}: {x, mean, 1.96 standard errors}; {x, NaN, 0} when
     * there are none, half-width 0 for one value.
     */
    static double[] point(double x, double[] v) {
        int n = v.length;
        if (n == 0) {
            return new double[] {x, Double.NaN, 0};
        }
        double mean = 0;
        for (double d : v) {
            mean += d;
        }
        mean /= n;
        double sd = n > 1 ? Stats.sampleSd(v, mean) : 0;
        return new double[] {x, mean, 1.96 * sd / Math.sqrt(n)};
    }

    /** An x value: whole numbers without a decimal point, others as {@code %g}. */
    static String num(double x) {
        return x == Math.rint(x) ? Long.toString((long) x) : String.format(Locale.ROOT, "%g", x);
    }

    /** The curves in the map's order. */
    static List<Series> toSeries(Map<String, List<double[]>> pts) {
        List<Series> out = new ArrayList<>();
        pts.forEach((k, v) -> out.add(new Series(k, v)));
        return out;
    }
}
