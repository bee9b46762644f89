package org.edgellm.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.Color;
import org.jfree.chart.plot.XYPlot;
import org.junit.jupiter.api.Test;

/** {@link ChartStyle}: the shared look set on a fresh plot. */
class ChartStyleTest {

    @Test
    void whiteBackgroundAndLightGreyGridBothWays() {
        XYPlot plot = new XYPlot();
        ChartStyle.whiteWithGreyGrid(plot);
        assertEquals(Color.WHITE, plot.getBackgroundPaint());
        assertEquals(new Color(0xdddddd), plot.getDomainGridlinePaint());
        assertEquals(new Color(0xdddddd), plot.getRangeGridlinePaint());
    }
}
