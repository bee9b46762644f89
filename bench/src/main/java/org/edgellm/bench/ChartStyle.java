package org.edgellm.bench;

import java.awt.Color;
import org.jfree.chart.plot.XYPlot;

/** The look the bench module's JFreeChart plots share. */
final class ChartStyle {

    /** The colour of the grid lines. */
    static final Color GRID = new Color(0xdddddd);

    private ChartStyle() {}

    /** A white background with light grey grid lines both ways. */
    static void whiteWithGreyGrid(XYPlot plot) {
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(GRID);
        plot.setRangeGridlinePaint(GRID);
    }
}
