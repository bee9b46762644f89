package org.edgellm.scheduler.plot;

import java.util.List;

/**
 * One plot: series over a shared x axis, written as {@code NAME.csv} (and, with a {@link
 * PlotRenderer}, {@code NAME.png}). A y value that is NaN has no point (a gap in the line, an empty
 * cell in the CSV).
 *
 * @param name file name without extension
 * @param x the x values, shared by every series
 * @param series the lines, each with one y per x
 */
public record Chart(
        String name, String title, String xLabel, String yLabel, double[] x, List<Series> series) {

    /** One line of a chart. */
    public record Series(String name, double[] y) {}

    public Chart {
        series = List.copyOf(series);
        for (Series s : series) {
            if (s.y().length != x.length) {
                throw new IllegalArgumentException(
                        "series "
                                + s.name()
                                + " of "
                                + name
                                + ": "
                                + s.y().length
                                + " values for "
                                + x.length
                                + " x values");
            }
        }
    }
}
