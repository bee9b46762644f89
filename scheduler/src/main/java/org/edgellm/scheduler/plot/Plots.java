package org.edgellm.scheduler.plot;

import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Writes charts: always one CSV file each; with a {@link PlotRenderer} on the class path
 * (bench.jar) also one PNG each.
 */
public final class Plots {
    private Plots() {}

    /** The renderer on the class path, if any. */
    public static Optional<PlotRenderer> renderer() {
        return ServiceLoader.load(PlotRenderer.class).findFirst();
    }

    /**
     * Writes {@code NAME.csv} for each chart to dir and, when a renderer is found, {@code
     * NAME.png}; prints one line saying what was written, and without a renderer the command that
     * writes the PNGs too ({@code benchCommand}).
     */
    public static void write(Path dir, List<Chart> charts, String benchCommand, PrintStream out)
            throws IOException {
        Files.createDirectories(dir);
        for (Chart c : charts) {
            Files.writeString(dir.resolve(c.name() + ".csv"), csv(c));
        }
        Optional<PlotRenderer> r = renderer();
        if (r.isPresent()) {
            for (Chart c : charts) {
                r.get().render(c, dir.resolve(c.name() + ".png"));
            }
            out.printf("plots: %d CSV and PNG files in %s%n", charts.size(), dir);
        } else {
            out.printf(
                    "plots: %d CSV files in %s; the PNG plots need bench.jar: %s%n",
                    charts.size(), dir, benchCommand);
        }
    }

    /** A chart as CSV: a header (x label, series names), then one row per x value. */
    public static String csv(Chart c) {
        StringBuilder sb = new StringBuilder(cell(c.xLabel()));
        for (Chart.Series s : c.series()) {
            sb.append(',').append(cell(s.name()));
        }
        sb.append('\n');
        for (int i = 0; i < c.x().length; i++) {
            sb.append(number(c.x()[i]));
            for (Chart.Series s : c.series()) {
                sb.append(',').append(number(s.y()[i]));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** Six significant digits, no exponent, no trailing zeros; NaN as an empty cell. */
    static String number(double v) {
        if (Double.isNaN(v)) {
            return "";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        return new BigDecimal(v).round(new MathContext(6)).stripTrailingZeros().toPlainString();
    }

    private static String cell(String s) {
        return s.contains(",") || s.contains("\"") ? '"' + s.replace("\"", "\"\"") + '"' : s;
    }
}
