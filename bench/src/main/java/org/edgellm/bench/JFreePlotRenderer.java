package org.edgellm.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import org.edgellm.scheduler.plot.Chart;
import org.edgellm.scheduler.plot.PlotRenderer;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The PNG renderer of the product's plots (worker.jar report --plots, simulate --plots) when they
 * run under bench.jar: registered in META-INF/services, found by {@code Plots} with ServiceLoader.
 * JFreeChart stays out of the product jars. A NaN value leaves a gap in its line.
 */
public final class JFreePlotRenderer implements PlotRenderer {

    static final Color[] COLORS = {
        new Color(0x1f77b4),
        new Color(0xd62728),
        new Color(0x2ca02c),
        new Color(0xff7f0e),
        new Color(0x9467bd),
        new Color(0x8c564b),
        new Color(0x7f7f7f),
        new Color(0x17becf)
    };

    @Override
    public void render(Chart c, Path png) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        for (Chart.Series s : c.series()) {
            XYSeries xy = new XYSeries(s.name(), false, true);
            for (int i = 0; i < c.x().length; i++) {
                xy.add(c.x()[i], Double.isNaN(s.y()[i]) ? null : s.y()[i]);
            }
            data.addSeries(xy);
        }
        JFreeChart chart =
                ChartFactory.createXYLineChart(
                        c.title(),
                        c.xLabel(),
                        c.yLabel(),
                        data,
                        PlotOrientation.VERTICAL,
                        true,
                        false,
                        false);
        XYPlot plot = chart.getXYPlot();
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
        r.setDrawSeriesLineAsPath(false);
        for (int i = 0; i < c.series().size(); i++) {
            r.setSeriesPaint(i, COLORS[i % COLORS.length]);
            r.setSeriesStroke(i, new BasicStroke(2f));
        }
        plot.setRenderer(r);
        ChartStyle.whiteWithGreyGrid(plot);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, 900, 500);
    }
}
