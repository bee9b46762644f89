package org.edgellm.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link Stats}: values worked out by hand. */
class StatsTest {

    /** 2, 4, 4, 4, 5, 5, 7, 9: mean 5, squared deviations sum to 32, 32 / 7 under the root. */
    @Test
    void sampleSdDividesByNMinusOne() {
        double[] v = {2, 4, 4, 4, 5, 5, 7, 9};
        assertEquals(Math.sqrt(32.0 / 7), Stats.sampleSd(v, 5), 1e-12);
        assertEquals(Math.sqrt(0.5), Stats.sampleSd(new double[] {1, 2}, 1.5), 1e-12);
        assertEquals(0, Stats.sampleSd(new double[] {3, 3, 3}, 3));
    }

    @Test
    void fewerThanTwoValuesIsAnErrorNamingTheCount() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class, () -> Stats.sampleSd(new double[] {7}, 7));
        assertTrue(
                e.getMessage().contains("values") && e.getMessage().contains("got 1"),
                e.getMessage());
    }

    /** The paper figures' point: 1.96 standard errors, NaN with no values, 0 with one. */
    @Test
    void paperPointIsTheNormalHalfWidth() {
        double[] p = PaperFigure.point(3, new double[] {2, 4, 4, 4, 5, 5, 7, 9});
        assertEquals(3, p[0]);
        assertEquals(5, p[1], 1e-12);
        assertEquals(1.96 * Math.sqrt(32.0 / 7) / Math.sqrt(8), p[2], 1e-12);
        double[] one = PaperFigure.point(1, new double[] {6});
        assertEquals(6, one[1]);
        assertEquals(0, one[2]);
        assertTrue(Double.isNaN(PaperFigure.point(1, new double[0])[1]));
    }
}
