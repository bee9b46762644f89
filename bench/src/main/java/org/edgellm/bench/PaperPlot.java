package org.edgellm.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.DeviationRenderer;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/**
 * The PNG of one {@code bench.jar paper} figure: a line per series with its 95% interval as a
 * shaded band; NaN means are left out, and on a log axis so are non-positive means (the band's
 * lower edge is clipped at a tenth of the mean).
 */
final class PaperPlot {

    private PaperPlot() {}

    static void write(Path f, PaperFigure fig) throws IOException {
        YIntervalSeriesCollection data = new YIntervalSeriesCollection();
        for (PaperFigure.Series s : fig.series()) {
            YIntervalSeries ys = new YIntervalSeries(s.name());
            for (double[] p : s.points()) {
                if (!Double.isNaN(p[1]) && (!fig.logY() || p[1] > 0)) {
                    double lo = p[1] - p[2];
                    ys.add(p[0], p[1], fig.logY() ? Math.max(lo, p[1] / 10) : lo, p[1] + p[2]);
                }
            }
            data.addSeries(ys);
        }
        JFreeChart chart =
                ChartFactory.createXYLineChart(
                        fig.title(),
                        fig.x(),
                        fig.y(),
                        data,
                        PlotOrientation.VERTICAL,
                        true,
                        false,
                        false);
        XYPlot plot = chart.getXYPlot();
        DeviationRenderer r = new DeviationRenderer(true, true);
        Color[] colors = JFreePlotRenderer.COLORS;
        for (int i = 0; i < fig.series().size(); i++) {
            Color c = colors[i % colors.length];
            r.setSeriesPaint(i, c);
            r.setSeriesFillPaint(i, new Color(c.getRed(), c.getGreen(), c.getBlue(), 50));
            r.setSeriesStroke(i, new BasicStroke(2f));
        }
        plot.setRenderer(r);
        ChartStyle.whiteWithGreyGrid(plot);
        if (fig.logY()) {
            LogAxis axis = new LogAxis(fig.y());
            axis.setSmallestValue(1e-1);
            axis.setTickUnit(new NumberTickUnit(1.0)); // whole decades
            plot.setRangeAxis(axis);
        }
        ChartUtils.saveChartAsPNG(f.toFile(), chart, 900, 560);
    }
}
